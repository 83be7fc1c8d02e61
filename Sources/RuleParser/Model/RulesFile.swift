/// The typed rules set: what one rules file, or a directory of them, declares.
public struct RulesFile: Sendable {
    /// The inbound endpoints, `POST /hooks/<name>`.
    public var sources: [Source]
    /// Retry, timeout and concurrency used where a rule or action sets none.
    public var defaults: Defaults
    /// Settings of `harbinger serve` that may live in the rules file.
    public var server: ServerSettings
    /// The rules, in file order (files of a directory in sorted order).
    public var rules: [Rule]
    /// The files the set was read from.
    public var files: [String]
    /// Secret values from the rules and the environment, for masking in output.
    public var sensitiveValues: Set<String> = []

    /// Creates a rules set.
    public init(sources: [Source] = [], defaults: Defaults = Defaults(), server: ServerSettings = ServerSettings(), rules: [Rule] = [], files: [String] = []) {
        self.sources = sources
        self.defaults = defaults
        self.server = server
        self.rules = rules
        self.files = files
    }

    /// The source with this name.
    public func source(named name: String) -> Source? {
        sources.first { $0.name == name }
    }
}

/// Retry policy: exponential backoff with full jitter, capped.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts, the first one included.
    public var attempts: Int
    /// The base delay before the second attempt.
    public var backoff: Duration
    /// The most any single delay may be.
    public var maxBackoff: Duration

    /// Creates a policy.
    public init(attempts: Int = 10, backoff: Duration = .seconds(2), maxBackoff: Duration = .seconds(600)) {
        self.attempts = attempts
        self.backoff = backoff
        self.maxBackoff = maxBackoff
    }
}

/// The `defaults:` block.
public struct Defaults: Sendable, Hashable {
    /// Retry policy for deliveries.
    public var retry = RetryPolicy()
    /// Timeout of one attempt.
    public var timeout: Duration = .seconds(15)
    /// Concurrent deliveries per target (host or script).
    public var concurrency = 8

    /// The built-in defaults.
    public init() {}
}

/// The `server:` block: what `harbinger serve` flags can also say.
public struct ServerSettings: Sendable, Hashable {
    /// `host:port` to listen on.
    public var listen: String?
    /// `sqlite:PATH` or `postgres://...`.
    public var store: String?
    /// The largest webhook body accepted.
    public var maxBody: ByteSize?
    /// Bearer token for the admin API.
    public var adminToken: Secret?
    /// How long finished deliveries and their events stay in the history (`retention`).
    public var retention: HistoryRetention?

    /// No settings: the flags' defaults apply.
    public init() {}
}

/// How long the store keeps finished deliveries (succeeded, failed, dead), their attempts and their
/// events; pending and running deliveries are never pruned.
public enum HistoryRetention: Sendable, Hashable {
    /// Kept for ever (`retention: forever`).
    case forever
    /// Pruned once this long past their last attempt.
    case after(Duration)

    /// The default: 30 days.
    public static let standard = HistoryRetention.after(.seconds(30 * 86_400))

    /// `forever` or a duration such as `30d` or `12h`.
    public init(parsing text: String) throws(ValueError) {
        if text == "forever" {
            self = .forever
            return
        }
        guard let first = text.unicodeScalars.first, ("0"..."9").contains(first) else {
            throw ValueError("expected a duration such as 30d or 12h, or 'forever', found '\(text)'")
        }
        let duration = try parseDuration(text)
        guard duration > .zero else { throw ValueError("a retention of 0 would keep nothing; write a duration such as 30d, or 'forever'") }
        self = .after(duration)
    }
}
