/// Azure Container Registry webhooks: one Distribution-like event object per request.

/// Decodes ACR webhook bodies (`push`, `delete`, `chart_push`, `chart_delete`; `ping` yields none).
///
/// The body has no `{"events": [...]}` envelope. Legacy Helm chart events name the chart in
/// `target.name`/`target.version` and put the `.tgz` file name in `target.tag`; they become
/// `<target.repository>/<name>` with the version (without `.tgz`) as the tag, so a chart reads
/// like `myregistry.azurecr.io/repo/wordpress:5.4.0`. Chart events carry no `request.host`.
public struct ACRDecoder: SourceDecoder {
    /// `acr`.
    public static let kind = SourceKind.acr

    /// Creates the decoder.
    public init() {}

    /// The one event of the body, or none for a `ping`.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        let action = try root.requiredString("action")
        let type: EventType
        switch action {
        case "push": type = .push
        case "delete": type = .delete
        case "chart_push": type = .chartPush
        case "chart_delete": type = .chartDelete
        case "ping": return []
        default: throw DecodeError.unsupported(path: "action", "unsupported ACR action '\(action)'")
        }
        let target = try root.required("target")
        let mediaType = try target.string("mediaType").flatMap { $0.isEmpty ? nil : $0 }
        if let mediaType, MediaTypes.isBlob(mediaType), !context.includeBlobs { return [] }
        var repository = try target.requiredString("repository")
        var tag = try target.string("tag").flatMap { $0.isEmpty ? nil : $0 }
        if type == .chartPush || type == .chartDelete, let chart = try target.string("name"), !chart.isEmpty {
            repository += "/\(chart)"
            if let version = try target.string("version"), !version.isEmpty {
                tag = version.hasSuffix(".tgz") ? String(version.dropLast(4)) : version
            }
        }
        let request = try root.optional("request")
        let host = try request?.string("host").flatMap { $0.isEmpty ? nil : $0 }
        let digest = try target.string("digest").flatMap { $0.isEmpty ? nil : $0 }
        let actor = try root.optional("actor")?.string("name").flatMap { $0.isEmpty ? nil : $0 }
        var size = try target.int("size")
        if size == nil { size = try target.int("length") }
        return [Event(
            id: try root.string("id") ?? "", source: .acr, sourceName: context.sourceName, type: type,
            registry: host ?? context.registry, repository: repository, tag: tag, digest: digest,
            mediaType: mediaType, artifact: MediaTypes.artifactKind(mediaType: mediaType),
            size: size, actor: actor,
            occurredAt: try root.string("timestamp"))]
    }
}
