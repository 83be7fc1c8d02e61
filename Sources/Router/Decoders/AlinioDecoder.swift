/// Alin.io-style webhooks (`x-alin-webhook` header): `image`, `repository`, `image_size`, `timestamp`.

/// Decodes an Alin.io-style push: one event; the registry host is the first segment of `repository`.
public struct AlinioDecoder: SourceDecoder {
    /// Alin.io-style senders.
    public static let kind: SourceKind = .alinio

    /// Creates the decoder.
    public init() {}

    /// The single event; no event id (SourceDecoders fills a stable hash), no actor, no manifest digest
    /// (`layers[]` are layer digests).
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        let eventCursor = try root.required("event")
        let name = try eventCursor.string()
        guard name == "push" else { throw DecodeError.unsupported(path: eventCursor.path, "unknown Alin.io event '\(name)'") }
        let repositoryCursor = try root.required("repository")
        let repositoryText = try repositoryCursor.string()
        guard let repository = ImageReference(parsing: repositoryText) else {
            throw DecodeError(path: repositoryCursor.path, "expected an image repository, found '\(repositoryText)'")
        }
        // The tag is only in `image` (`host/repo:tag`) or, failing that, the `x-alin-webhook: repo:tag` header.
        let image = try (root.string("image").nonEmpty ?? payload.header("x-alin-webhook")).flatMap(ImageReference.init(parsing:))
        return [Event(
            source: Self.kind, sourceName: context.sourceName, type: .push, registry: repository.registry ?? context.registry,
            repository: repository.repository, tag: image?.tag, digest: image?.digest,
            size: try root.int("image_size"), occurredAt: try root.string("timestamp").nonEmpty)]
    }
}
