/// The plugin protocol for senders: each registry's payload format is one decoder type.

/// Turns one sender's webhook payload into canonical events. Adding a sender is one conforming
/// type and one line in `SourceDecoders.all`.
public protocol SourceDecoder: Sendable {
    /// The source kind this decoder reads.
    static var kind: SourceKind { get }
    /// Creates the decoder.
    init()
    /// Every canonical event in the payload (blob events dropped unless the context keeps them);
    /// a payload that does not fit the format is a `DecodeError` naming the JSON path.
    func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event]
}

/// Every sender Harbinger understands.
public enum SourceDecoders {
    /// The decoder types, one per source kind.
    public static let all: [any SourceDecoder.Type] = [
        HarborDecoder.self, DistributionDecoder.self, DockerHubDecoder.self, QuayDecoder.self, GHCRDecoder.self,
        ACRDecoder.self, ArtifactoryDecoder.self, NexusDecoder.self, GARDecoder.self, ECRDecoder.self,
        CloudEventsDecoder.self, AlinioDecoder.self,
    ]

    /// The decoder for a source kind.
    public static func decoder(for kind: SourceKind) -> (any SourceDecoder)? {
        all.first { $0.kind == kind }.map { $0.init() }
    }

    /// Decodes a payload for a declared source and fills in stable ids.
    public static func decode(_ payload: Payload, source: Source) throws(DecodeError) -> [Event] {
        guard let decoder = decoder(for: source.kind) else {
            throw DecodeError(path: "", "no decoder for source kind '\(source.kind.rawValue)'")
        }
        return try decoder.decode(payload, context: DecodeContext(source)).map { $0.withStableID() }
    }
}
