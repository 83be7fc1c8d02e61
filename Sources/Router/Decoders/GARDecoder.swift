/// Google Artifact Registry (and Container Registry) notifications, via a Pub/Sub push subscription.

/// Decodes the Pub/Sub push envelope whose base64 `message.data` is an Artifact Registry message.
///
/// The message names one image by `digest` (`HOST/PROJECT/REPO/IMAGE@sha256:…`) and/or `tag`
/// (`HOST/…/IMAGE:TAG`); the registry is the first segment. A tagged push arrives as two
/// messages, one with both keys and one with only the digest; each is its own event (the
/// message ids differ). The id is `messageId` and the time `publishTime`.
public struct GARDecoder: SourceDecoder {
    /// `gar`.
    public static let kind = SourceKind.gar

    /// Creates the decoder.
    public init() {}

    /// The one event of the message.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        let message = try root.required("message")
        let dataField = try message.required("data")
        guard let bytes = Base64.decode(try dataField.string()) else {
            throw DecodeError(path: dataField.path, "expected base64 text")
        }
        let data: JSONCursor
        do throws(DecodeError) {
            data = JSONCursor(try JSONParser.parse(bytes), path: dataField.path)
        } catch {
            throw DecodeError(path: dataField.path, "decoded data is not JSON: \(error.message)")
        }
        let action = try data.requiredString("action")
        let type: EventType
        switch action {
        case "INSERT": type = .push
        case "DELETE": type = .delete
        default: throw DecodeError.unsupported(path: "\(dataField.path).action", "unsupported Artifact Registry action '\(action)'")
        }
        var image: (registry: String, repository: String)?
        var digest: String?
        var tag: String?
        if let field = try data.optional("digest") {
            let reference = try Self.split(try field.string(), at: "@", path: field.path, expected: "HOST/REPOSITORY@DIGEST")
            image = (reference.registry, reference.repository)
            digest = reference.suffix
        }
        if let field = try data.optional("tag") {
            let reference = try Self.split(try field.string(), at: ":", path: field.path, expected: "HOST/REPOSITORY:TAG")
            image = (reference.registry, reference.repository)
            tag = reference.suffix
        }
        guard let image else { throw DecodeError(path: dataField.path, "expected a 'digest' or 'tag'") }
        var id = try message.string("messageId")
        if id == nil { id = try message.string("message_id") }
        var published = try message.string("publishTime")
        if published == nil { published = try message.string("publish_time") }
        return [Event(
            id: id ?? "", source: .gar,
            sourceName: context.sourceName, type: type, registry: image.registry, repository: image.repository,
            tag: tag, digest: digest,
            occurredAt: published)]
    }

    /// `host/path@digest` or `host/path:tag` → (host, path, digest or tag); the separator must follow the last `/`.
    private static func split(_ text: String, at separator: Character, path: String, expected: String)
        throws(DecodeError) -> (registry: String, repository: String, suffix: String) {
        let invalid = DecodeError(path: path, "expected \(expected), found '\(text)'")
        guard let slash = text.firstIndex(of: "/"), let mark = text.lastIndex(of: separator), mark > slash else { throw invalid }
        let name = text[text.index(after: slash)..<mark]
        let suffix = text[text.index(after: mark)...]
        guard slash != text.startIndex, !name.isEmpty, !suffix.isEmpty, !suffix.contains("/"), !name.contains("@") else {
            throw invalid
        }
        return (String(text[..<slash]), String(name), String(suffix))
    }

    /// A small base64 decoder (standard and URL-safe alphabets, padding optional), since Router has no Foundation.
    private enum Base64 {
        /// The bytes, or nil when the text is not base64.
        static func decode(_ text: String) -> [UInt8]? {
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count * 3 / 4)
            var buffer: UInt32 = 0
            var bits = 0
            var padding = 0
            for byte in text.utf8 {
                if byte == UInt8(ascii: "=") {
                    padding += 1
                    continue
                }
                guard padding == 0, let value = sextet(byte) else { return nil }
                buffer = buffer << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                }
            }
            // 6 leftover bits cannot encode a byte; more than two pad characters is malformed.
            guard bits < 6, padding <= 2 else { return nil }
            return out
        }

        private static func sextet(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
            default: nil
            }
        }
    }
}
