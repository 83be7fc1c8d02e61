/// A delivery: one action of one rule for one event, with its attempts.
public struct Delivery: Sendable, Hashable {
    /// Where a delivery is in its life.
    public enum State: String, Sendable, Hashable, CaseIterable, Codable {
        /// Waiting for its next attempt (`nextAttemptAt`).
        case pending
        /// Claimed by a worker, which holds a lease until `leaseUntil`.
        case running
        /// An attempt succeeded.
        case succeeded
        /// An attempt failed in a way retrying cannot fix (a 4xx, a script exit code other than 75).
        case failed
        /// Every attempt the retry policy allows failed.
        case dead
    }

    /// Unique id; sent as `webhook-id` on every attempt.
    public var id: String
    /// The event it delivers.
    public var eventID: String
    /// The rule's name.
    public var rule: String
    /// The step's index in the rule's `do` chain.
    public var step: Int
    /// The action type (`http`, `shell`, ...).
    public var actionType: String
    /// The rules snapshot the delivery was enqueued under, so a reload never changes it.
    public var rulesVersion: Int64
    /// Where it is.
    public var state: State
    /// Attempts made so far.
    public var attempts: Int
    /// When the next attempt is due, in milliseconds since 1970.
    public var nextAttemptAt: Int64
    /// Who holds it while running, and until when.
    public var leaseOwner: String?
    /// Lease expiry, in milliseconds since 1970.
    public var leaseUntil: Int64?
    /// The last attempt's outcome in a few words (`HTTP 503`, `exit 1`, `timeout after 15s`).
    public var lastStatus: String?
    /// The last attempt's duration in milliseconds.
    public var lastDurationMillis: Int64?
    /// The start of the last response body or script output.
    public var excerpt: String?
    /// True when an earlier step of the chain finally failed (a `callback` step then reports failure).
    public var chainFailed: Bool
    /// For a rule with `debounce`: the rule and its rendered key. A later event with the same key
    /// replaces this delivery's event while it has not started.
    public var debounceKey: String?
    /// When it was enqueued, in milliseconds since 1970.
    public var createdAt: Int64
    /// When it last changed, in milliseconds since 1970.
    public var updatedAt: Int64

    /// Creates a pending delivery due at `now`.
    public init(id: String, eventID: String, rule: String, step: Int, actionType: String, rulesVersion: Int64,
                now: Int64, chainFailed: Bool = false) {
        self.id = id
        self.eventID = eventID
        self.rule = rule
        self.step = step
        self.actionType = actionType
        self.rulesVersion = rulesVersion
        self.state = .pending
        self.attempts = 0
        self.nextAttemptAt = now
        self.leaseOwner = nil
        self.leaseUntil = nil
        self.lastStatus = nil
        self.lastDurationMillis = nil
        self.excerpt = nil
        self.chainFailed = chainFailed
        self.debounceKey = nil
        self.createdAt = now
        self.updatedAt = now
    }
}

/// What one attempt came to, as an action plugin reports it.
public struct AttemptOutcome: Sendable, Hashable {
    /// How the attempt ended.
    public enum Verdict: Sendable, Hashable {
        /// Done.
        case success
        /// Worth trying again; `after` overrides the backoff (a Retry-After answer).
        case retry(after: Duration?)
        /// Not worth trying again.
        case failure
    }

    /// How it ended.
    public var verdict: Verdict
    /// A few words: `HTTP 503`, `exit 75`, `connection refused`.
    public var status: String
    /// The start of the response body or the output, already truncated.
    public var excerpt: String?
    /// A script's whole output as captured (stdout then stderr, each truncated), for the history.
    public var output: String?
    /// How long the attempt took.
    public var duration: Duration

    /// Creates an outcome.
    public init(_ verdict: Verdict, status: String, excerpt: String? = nil, duration: Duration = .zero) {
        self.verdict = verdict
        self.status = status
        self.excerpt = excerpt
        self.duration = duration
    }
}

/// One attempt, as the history keeps it.
public struct Attempt: Sendable, Hashable {
    /// The delivery.
    public var deliveryID: String
    /// 1 for the first attempt.
    public var number: Int
    /// When it started, in milliseconds since 1970.
    public var startedAt: Int64
    /// Its duration in milliseconds.
    public var durationMillis: Int64
    /// `HTTP 503`, `exit 0`, ...
    public var status: String
    /// The verdict: `success`, `retry` or `failure`.
    public var verdict: String
    /// The start of the response or output.
    public var excerpt: String?
    /// A script's captured output, truncated.
    public var output: String? = nil
}
