/// Why a registry operation failed, and whether trying again later could help.

/// A failure of the OCI client: a message for the history and the retry verdict.
public struct OCIError: Error, Sendable, CustomStringConvertible {
    /// A few words: `HTTP 401 from 127.0.0.1:5000 on GET /v2/a/manifests/1.0`.
    public let message: String
    /// True for 408, 429, 5xx and transport errors: a later attempt may succeed.
    public let isRetryable: Bool
    /// The registry answered 404 for what was asked.
    public let isNotFound: Bool

    /// Creates an error.
    public init(_ message: String, retryable: Bool = false, notFound: Bool = false) {
        self.message = message
        self.isRetryable = retryable
        self.isNotFound = notFound
    }

    /// An unexpected HTTP status, retryable when the status says so.
    static func status(_ status: Int, _ what: String, body: String? = nil) -> OCIError {
        let retryable = status == 408 || status == 429 || status >= 500
        var text = "HTTP \(status) on \(what)"
        if let body, !body.isEmpty { text += ": \(body.count > 300 ? String(body.prefix(300)) + "…" : body)" }
        return OCIError(text, retryable: retryable)
    }

    public var description: String { message }
}
