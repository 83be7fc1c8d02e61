/// Which Content-Types a source accepts: JSON in its forms, plus what particular senders are known to use.
import Runner

/// The Content-Type policy of `POST /hooks/<source>`.
enum HookMediaTypes {
    /// Kinds whose senders post JSON labelled `text/plain` (Amazon SNS deliveries of ECR events).
    static let plainTextKinds: Set<SourceKind> = [.ecr]

    /// Why the request's Content-Type is refused for a source of `kind`, or nil when it is accepted.
    static func rejection(_ payload: Payload, kind: SourceKind) -> String? {
        // CloudEvents binary mode: the Content-Type is the event's datacontenttype, whatever it is.
        if kind == .cloudevents, payload.header("ce-specversion") != nil { return nil }
        guard let mediaType = payload.contentType, !mediaType.isEmpty else {
            return "the request has no Content-Type; send application/json"
        }
        if isJSON(mediaType) { return nil }
        if mediaType == "text/plain", plainTextKinds.contains(kind) { return nil }
        if mediaType == "application/x-www-form-urlencoded", kind == .ghcr { return nil }
        return "Content-Type '\(String(mediaType.prefix(100)))' is not accepted by \(kind.rawValue) sources; send application/json"
    }

    /// `application/json`, `text/json`, or any structured `+json` type (`application/cloudevents+json`).
    static func isJSON(_ mediaType: String) -> Bool {
        mediaType == "application/json" || mediaType == "text/json"
            || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
