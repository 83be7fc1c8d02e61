/// One outgoing HTTP request of an action (`http`, `callback`) and its answer as an `AttemptOutcome`.
import AsyncHTTPClient
import Foundation

/// Sends a request and applies the HTTP retry rules: 2xx succeeds; 408, 429, 5xx and transport
/// errors retry (honouring `Retry-After`); any other status fails.
struct HTTPExchange: Sendable {
    /// At most this much of the response body is kept as the excerpt.
    static let excerptLimit = 1024
    /// Sent on every request.
    static let userAgent = "Harbinger/0.1"

    let client: HTTPClient
    let clock: any WallClock

    /// The headers every action request carries: the idempotency key and the ids to follow a push end to end.
    static func identityHeaders(_ context: DeliveryContext) -> [(name: String, value: String)] {
        [
            ("webhook-id", context.delivery.id),
            ("X-Harbinger-Event-Id", context.event.event.id),
            ("X-Harbinger-Delivery", context.delivery.id),
            ("User-Agent", userAgent),
        ]
    }

    /// Sends `request`, giving up after `timeout`.
    func send(_ request: HTTPClientRequest, timeout: Duration) async -> AttemptOutcome {
        let started = ContinuousClock.now
        var outcome: AttemptOutcome
        do {
            let response = try await client.execute(request, timeout: .milliseconds(max(1, timeout.milliseconds)))
            var excerpt: [UInt8] = []
            do {
                for try await chunk in response.body {
                    excerpt.append(contentsOf: chunk.readableBytesView.prefix(Self.excerptLimit - excerpt.count))
                    if excerpt.count >= Self.excerptLimit { break }
                }
            } catch {
                // The status already decides the outcome; a body cut short only shortens the excerpt.
            }
            outcome = classify(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"))
            outcome.excerpt = excerpt.isEmpty ? nil : String(decoding: excerpt, as: UTF8.self)
        } catch {
            outcome = AttemptOutcome(.retry(after: nil), status: Self.describe(error, timeout: timeout))
        }
        outcome.duration = ContinuousClock.now - started
        return outcome
    }

    /// The verdict for a response status.
    func classify(status: Int, retryAfter: String?) -> AttemptOutcome {
        let text = "HTTP \(status)"
        switch status {
        case 200..<300:
            return AttemptOutcome(.success, status: text)
        case 408, 429, 500..<600:
            let delay = retryAfter.flatMap { Self.retryDelay($0, now: clock.now()) }
            return AttemptOutcome(.retry(after: delay), status: text)
        default:
            return AttemptOutcome(.failure, status: text)
        }
    }

    /// A `Retry-After` value (delay seconds or an HTTP date) as a delay from `now` (ms since 1970).
    static func retryDelay(_ value: String, now: Int64) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(text) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        // IMF-fixdate first, then the obsolete RFC 850 and asctime forms RFC 9110 still asks recipients to accept.
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                let millis = Int64(date.timeIntervalSince1970 * 1000) - now
                return .milliseconds(max(0, millis))
            }
        }
        return nil
    }

    /// A transport error in a few words: `connection refused`, `timeout after 15s`, `TLS: ...`.
    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            let timeouts: [HTTPClientError] = [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout,
                                               .tlsHandshakeTimeout, .getConnectionFromPoolTimeout]
            if timeouts.contains(error) { return "timeout after \(timeout.attemptText)" }
            if error == .remoteConnectionClosed { return "connection closed by the server" }
            if error == .invalidURL || error == .emptyHost || error == .emptyScheme { return "invalid URL" }
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("connection refused") { return "connection refused" }
        if lowered.contains("connection reset") { return "connection reset" }
        if lowered.contains("timed out") || lowered.contains("timeout") { return "timeout after \(timeout.attemptText)" }
        let typeName = String(reflecting: type(of: error))
        if typeName.contains("SSL") || typeName.contains("TLS") { return "TLS: " + shorten(text) }
        if lowered.contains("name resolution") || lowered.contains("lookup") { return "DNS: " + shorten(text) }
        return "transport error: " + shorten(text)
    }

    private static func shorten(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
