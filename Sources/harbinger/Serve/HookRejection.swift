/// Why a webhook request is refused: its status, its JSON error body and its metrics label.
import HTTPTypes

/// A refused webhook request.
enum HookRejection: Sendable {
    /// No source of that name is declared.
    case unknownSource(String)
    /// An auth form of the source failed; the reason names the form, never a secret.
    case unauthorized(String)
    /// The Content-Type is not one the source's sender uses.
    case unsupportedMediaType(String)
    /// The body is over the limit, in bytes.
    case tooLarge(limit: Int)
    /// The body is not what the source's format says (`path: message`).
    case invalidPayload(String)
    /// The store could not record the request.
    case storeUnavailable
    /// No part of the body arrived for that many seconds.
    case bodyTimeout(seconds: Int64)
    /// The server is shutting down and the body did not arrive within that many seconds.
    case shuttingDown(seconds: Int64)

    /// The HTTP status.
    var status: HTTPResponse.Status {
        switch self {
        case .unknownSource: .notFound
        case .unauthorized: .unauthorized
        case .unsupportedMediaType: .unsupportedMediaType
        case .tooLarge: .contentTooLarge
        case .invalidPayload: .badRequest
        case .storeUnavailable, .shuttingDown: .serviceUnavailable
        case .bodyTimeout: .requestTimeout
        }
    }

    /// The `reason` label of `harbinger_requests_rejected_total` (also the `outcome` of `harbinger_requests_total`).
    var metricReason: String {
        switch self {
        case .unknownSource: "unknown_source"
        case .unauthorized: "unauthorized"
        case .unsupportedMediaType: "unsupported_media_type"
        case .tooLarge: "too_large"
        case .invalidPayload: "invalid_payload"
        case .storeUnavailable: "store_unavailable"
        case .bodyTimeout: "body_timeout"
        case .shuttingDown: "shutting_down"
        }
    }

    /// The JSON body: a short error and a detail that never holds a secret.
    var body: ErrorBody {
        switch self {
        case .unknownSource(let name):
            ErrorBody(error: "unknown source", detail: "no source named '\(String(name.prefix(100)))' is declared in the rules")
        case .unauthorized(let reason):
            ErrorBody(error: "unauthorized", detail: reason)
        case .unsupportedMediaType(let detail):
            ErrorBody(error: "unsupported media type", detail: detail)
        case .tooLarge(let limit):
            ErrorBody(error: "payload too large", detail: "the body is larger than the limit of \(limit) bytes")
        case .invalidPayload(let detail):
            ErrorBody(error: "invalid payload", detail: detail)
        case .storeUnavailable:
            ErrorBody(error: "store unavailable", detail: "the event store could not record the request; retry later")
        case .bodyTimeout(let seconds):
            ErrorBody(error: "request timeout", detail: "no part of the body arrived for \(seconds) s")
        case .shuttingDown(let seconds):
            ErrorBody(error: "shutting down", detail: "the server is shutting down and the body did not arrive within \(seconds) s; retry later")
        }
    }

    /// The answer to send.
    var answer: HookAnswer {
        switch self {
        case .storeUnavailable, .shuttingDown: HookAnswer(status: status, json: JSONText.encoded(body), retryAfter: "5")
        default: HookAnswer(status: status, json: JSONText.encoded(body))
        }
    }
}
