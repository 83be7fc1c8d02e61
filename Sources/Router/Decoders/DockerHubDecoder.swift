/// Docker Hub repository webhooks: push notifications only.

/// Decodes a Docker Hub push: one event in `docker.io` (or the source's `registry`), no digest.
public struct DockerHubDecoder: SourceDecoder {
    /// Docker Hub.
    public static let kind: SourceKind = .dockerhub

    /// Creates the decoder.
    public init() {}

    /// The single push event; Docker Hub sends no event id, so SourceDecoders fills a stable hash.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        let pushData = try root.required("push_data")
        let repositoryCursor = try root.required("repository")
        let repository = try repositoryCursor.requiredString("repo_name")
        var occurredAt: String?
        // Older deliveries write `pushed_at` as a float (`1.417566161e+09`).
        if let pushedAt = try pushData.optional("pushed_at") { occurredAt = UnixTime.rfc3339(seconds: try UnixTime.seconds(pushedAt)) }
        return [Event(
            source: Self.kind, sourceName: context.sourceName, type: .push, registry: context.registry ?? "docker.io",
            namespace: try repositoryCursor.string("namespace").nonEmpty, repository: repository,
            tag: try pushData.string("tag").nonEmpty, actor: try pushData.string("pusher").nonEmpty,
            occurredAt: occurredAt, callbackURL: try root.string("callback_url").nonEmpty)]
    }
}
