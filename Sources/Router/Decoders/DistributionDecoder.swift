/// CNCF Distribution (registry:2) notifications, also forwarded unchanged by Portus.

/// Decodes the `{"events": [...]}` envelope: one canonical event per entry, blob entries dropped unless
/// the source keeps them.
public struct DistributionDecoder: SourceDecoder {
    /// Distribution's envelope.
    public static let kind: SourceKind = .distribution

    /// Creates the decoder.
    public init() {}

    /// One event per envelope entry that names a manifest (or a blob, with `includeBlobs`).
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        var events: [Event] = []
        for entry in try root.required("events").array() {
            if let event = try event(entry, context: context) { events.append(event) }
        }
        return events
    }

    /// The canonical event of one entry, nil for a blob entry that the context drops.
    func event(_ entry: JSONCursor, context: DecodeContext) throws(DecodeError) -> Event? {
        let actionCursor = try entry.required("action")
        let action = try actionCursor.string()
        let target = try entry.required("target")
        let mediaType = try target.string("mediaType").nonEmpty
        let url = try target.string("url").nonEmpty
        let type: EventType
        var isBlob = mediaType.map(MediaTypes.isBlob) ?? (url?.contains("/blobs/") ?? false)
        switch action {
        case "push": type = .push
        case "pull": type = .pull
        case "delete": type = .delete
        // A mount links an existing blob into another repository (`fromRepository`); Distribution sends
        // no push for it, so with `includeBlobs` it is that repository's blob push. Manifests are never
        // mounted, so by default it is dropped like every blob event (the README's "mount: ignore").
        case "mount": type = .push; isBlob = true
        default: throw DecodeError.unsupported(path: actionCursor.path, "unknown Distribution action '\(action)'")
        }
        if isBlob && !context.includeBlobs { return nil }
        let repository = try target.requiredString("repository")
        let requestHost = try entry.optional("request")?.string("host").nonEmpty
        let actor = try entry.optional("actor")?.string("name").nonEmpty
        let size = try target.int("size")
        let length = try target.int("length")
        return Event(
            id: try entry.string("id") ?? "", source: Self.kind, sourceName: context.sourceName, type: type,
            registry: requestHost ?? url.flatMap(Self.host(url:)) ?? context.registry,
            repository: repository, tag: try target.string("tag").nonEmpty,
            // Per-tag delete events carry `"digest": ""`: no digest, not an empty one.
            digest: try target.string("digest").nonEmpty, mediaType: mediaType,
            artifact: MediaTypes.artifactKind(mediaType: mediaType), size: size ?? length,
            actor: actor, occurredAt: try entry.string("timestamp").nonEmpty)
    }

    /// The `host[:port]` of an absolute URL such as `http://127.0.0.1:5000/v2/team/app/manifests/...`.
    static func host(url: String) -> String? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let host = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return host.isEmpty ? nil : String(host)
    }
}
