/// JFrog Artifactory platform webhooks of the `docker` domain.

/// Decodes Artifactory `docker` webhooks: `pushed` and `deleted` tags.
///
/// The repository is `data.image_name` alone. `data.repo_key` is the Artifactory repository
/// (like Nexus's repository name), which clients only see in the path with Artifactory's
/// "repository path" access method; such setups put it in the source's `registry` option
/// (`art.example.com/docker-local`) rather than in every rule's repository pattern. The body
/// carries no registry host (`jpd_origin` is the platform URL, not the docker host), no time
/// and no id. Other domains and event types (`promoted`) are refused.
public struct ArtifactoryDecoder: SourceDecoder {
    /// `artifactory`.
    public static let kind = SourceKind.artifactory

    /// Creates the decoder.
    public init() {}

    /// The one tag event of the body.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        let domain = try root.requiredString("domain")
        guard domain == "docker" else {
            throw DecodeError.unsupported(path: "domain", "unsupported Artifactory webhook domain '\(domain)' (only 'docker' is routed)")
        }
        let eventType = try root.requiredString("event_type")
        let type: EventType
        switch eventType {
        case "pushed": type = .push
        case "deleted": type = .delete
        default: throw DecodeError.unsupported(path: "event_type", "unsupported Artifactory docker event '\(eventType)'")
        }
        let data = try root.required("data")
        let (repository, tag) = try Self.reference(data)
        let fileName = try data.string("name") ?? ""
        let artifact: ArtifactKind? = switch fileName {
        case "list.manifest.json": .index
        case "manifest.json": .image
        default: nil
        }
        return [Event(
            source: .artifactory, sourceName: context.sourceName, type: type, registry: context.registry,
            repository: repository, tag: tag, digest: try Self.digest(data), artifact: artifact,
            size: try data.int("size"), actor: try root.string("source").flatMap { $0.isEmpty ? nil : $0 })]
    }

    /// `image_name` and `tag`; without them, from `path` = `<image>/<tag>/manifest.json`.
    private static func reference(_ data: JSONCursor) throws(DecodeError) -> (String, String?) {
        let image = try data.string("image_name").flatMap { $0.isEmpty ? nil : $0 }
        let tag = try data.string("tag").flatMap { $0.isEmpty ? nil : $0 }
        if let image { return (image, tag) }
        let segments = try data.string("path")?.split(separator: "/").map(String.init) ?? []
        guard segments.count >= 3 else { throw DecodeError(path: "data.image_name", "is missing") }
        return (segments.dropLast(2).joined(separator: "/"), tag ?? segments[segments.count - 2])
    }

    /// `data.sha256` is the bare hex of the manifest file, i.e. the manifest digest.
    private static func digest(_ data: JSONCursor) throws(DecodeError) -> String? {
        guard let field = try data.optional("sha256") else { return nil }
        let hex = try field.string()
        if hex.hasPrefix("sha256:") { return hex }
        guard hex.utf8.count == 64, hex.allSatisfy(\.isHexDigit) else {
            throw DecodeError(path: field.path, "expected 64 hex digits, found '\(hex)'")
        }
        return "sha256:\(hex.lowercased())"
    }
}
