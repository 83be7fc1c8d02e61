/// The JSON bodies of the HTTP server's answers, and a helper that sends them.
import Foundation
import Hummingbird
import RuleParser

/// Every error answer: `{"error": "...", "detail": "..."}`.
struct ErrorBody: Encodable, Sendable {
    let error: String
    let detail: String
}

/// A 202 answer: events stored now, duplicates among them, and how many deliveries were enqueued.
struct AcceptedBody: Encodable, Sendable {
    let accepted: [String]
    let duplicates: [String]
    let deliveries: Int
}

/// A 200 answer for a request whose events were all stored before.
struct DuplicateBody: Encodable, Sendable {
    let accepted: [String]
    let duplicates: [String]
}

// The answers of every accepted webhook, written directly (keys sorted, as `Response.json` encodes them):
// a JSONEncoder per request costs more than the rest of building the answer.
extension AcceptedBody {
    /// The body as JSON.
    var json: JSON { .object([("accepted", .strings(accepted)), ("deliveries", .number(Double(deliveries))), ("duplicates", .strings(duplicates))]) }
}

extension DuplicateBody {
    /// The body as JSON.
    var json: JSON { .object([("accepted", .strings(accepted)), ("duplicates", .strings(duplicates))]) }
}

/// A 200 answer for a well-formed payload that holds nothing to route.
struct IgnoredBody: Encodable, Sendable {
    let ignored: String
}

/// A status answer of the probes.
struct StatusBody: Encodable, Sendable {
    let status: String
}

extension Response {
    /// A JSON response with `value`, already built, as its body.
    static func json(_ status: HTTPResponse.Status, _ value: JSON, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized())))
    }

    /// A JSON response with `value` as its body.
    static func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: JSONText.encoded(value))))
    }
}

/// The JSON text of the answers' bodies.
enum JSONText {
    /// `value` encoded with sorted keys and unescaped slashes.
    static func encoded(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail; the fallback keeps the answer JSON all the same.
        guard let data = try? encoder.encode(value) else { return #"{"error":"internal error","detail":"the answer could not be encoded"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}
