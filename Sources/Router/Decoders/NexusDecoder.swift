/// Sonatype Nexus Repository 3 repository webhooks (`rm:repository:component` and `rm:repository:asset`).

/// Decodes Nexus component and asset webhooks for docker (and helm) repositories.
///
/// `repositoryName` is the Nexus repository (`docker-hosted`), not the image path: the image is
/// `component.name`, or parsed from a manifest asset's `v2/<image>/manifests/<tag|digest>`.
/// Blob assets and other formats yield no events, nor does `PURGED` (it carries only ids).
/// The event id is the `X-Nexus-Webhook-Delivery` header; the body has no registry host.
public struct NexusDecoder: SourceDecoder {
    /// `nexus`.
    public static let kind = SourceKind.nexus

    /// Creates the decoder.
    public init() {}

    /// The one event of a component or manifest-asset webhook, or none.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        if let hook = payload.header("x-nexus-webhook-id")?.trimmingSpaces(),
           hook != "rm:repository:component", hook != "rm:repository:asset" {
            throw DecodeError.unsupported(path: "", "header X-Nexus-Webhook-ID: unsupported Nexus webhook '\(hook)'")
        }
        let root = try JSONCursor.parse(payload.body)
        let action = try root.requiredString("action")
        let deleted: Bool
        switch action {
        case "CREATED", "UPDATED": deleted = false
        case "DELETED": deleted = true
        case "PURGED": return []
        default: throw DecodeError.unsupported(path: "action", "unsupported Nexus action '\(action)'")
        }
        let reference: (format: String, repository: String, tag: String?, digest: String?)
        if let component = try root.optional("component") {
            let format = try component.requiredString("format")
            let name = try component.requiredString("name")
            let version = try component.string("version").flatMap { $0.isEmpty ? nil : $0 }
            // A docker component pushed only by digest has the digest as its version.
            let isDigest = version?.hasPrefix("sha256:") ?? false
            reference = (format, name, isDigest ? nil : version, isDigest ? version : nil)
        } else if let asset = try root.optional("asset") {
            let format = try asset.requiredString("format")
            guard format == "docker", let parsed = Self.manifest(path: try asset.requiredString("name")) else { return [] }
            reference = (format, parsed.repository, parsed.tag, parsed.digest)
        } else {
            throw DecodeError(path: "", "not a Nexus repository webhook: expected 'component' or 'asset'")
        }
        let type: EventType
        switch reference.format {
        case "docker": type = deleted ? .delete : .push
        case "helm": type = deleted ? .chartDelete : .chartPush
        default: return []
        }
        return [Event(
            id: payload.header("x-nexus-webhook-delivery")?.trimmingSpaces() ?? "", source: .nexus,
            sourceName: context.sourceName, type: type, registry: context.registry,
            repository: reference.repository, tag: reference.tag, digest: reference.digest,
            artifact: type == .push || type == .delete ? nil : .chart,
            actor: Self.actor(initiator: try root.string("initiator")),
            occurredAt: try root.string("timestamp").map(Self.rfc3339))]
    }

    /// `v2/acme/web/manifests/1.4.2` → (`acme/web`, `1.4.2`, nil); blobs and other paths → nil.
    static func manifest(path: String) -> (repository: String, tag: String?, digest: String?)? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).drop { $0.isEmpty }
        guard segments.count >= 4, segments.first == "v2", segments[segments.endIndex - 2] == "manifests" else { return nil }
        let repository = segments.dropFirst().dropLast(2).joined(separator: "/")
        let reference = String(segments[segments.endIndex - 1])
        guard !repository.isEmpty, repository != "-", !reference.isEmpty else { return nil }
        if reference.hasPrefix("sha256:") { return (repository, nil, reference) }
        return (repository, reference, nil)
    }

    /// `user/ip` → `user` (the part before the last `/`).
    static func actor(initiator: String?) -> String? {
        guard let initiator, !initiator.isEmpty else { return nil }
        guard let slash = initiator.lastIndex(of: "/") else { return initiator }
        let user = initiator[..<slash]
        return user.isEmpty ? nil : String(user)
    }

    /// Older Jackson writes the offset `+0000`; RFC 3339 wants `+00:00`.
    static func rfc3339(_ timestamp: String) -> String {
        let offset = timestamp.suffix(5)
        guard timestamp.count > 5, offset.first == "+" || offset.first == "-",
              offset.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else { return timestamp }
        return "\(timestamp.dropLast(2)):\(timestamp.suffix(2))"
    }
}
