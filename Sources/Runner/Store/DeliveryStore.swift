/// The durable store's contract: SQLite implements it for one instance; PostgreSQL can follow for
/// several, claiming with `FOR UPDATE SKIP LOCKED` and the same leases.

/// Filters for listing deliveries.
public struct DeliveryQuery: Sendable {
    /// Only deliveries in this state.
    public var state: Delivery.State?
    /// Only this rule's deliveries.
    public var rule: String?
    /// Only this event's deliveries.
    public var eventID: String?
    /// At most this many, newest first.
    public var limit: Int

    /// Creates a query.
    public init(state: Delivery.State? = nil, rule: String? = nil, eventID: String? = nil, limit: Int = 100) {
        self.state = state
        self.rule = rule
        self.eventID = eventID
        self.limit = limit
    }
}

/// What happens to a delivery after an attempt.
public struct Transition: Sendable {
    /// The new state.
    public var state: Delivery.State
    /// For `pending`: when the next attempt is due (ms since 1970).
    public var nextAttemptAt: Int64?
    /// Deliveries to enqueue now (the chain's next step).
    public var enqueue: [Delivery]

    /// Creates a transition.
    public init(state: Delivery.State, nextAttemptAt: Int64? = nil, enqueue: [Delivery] = []) {
        self.state = state
        self.nextAttemptAt = nextAttemptAt
        self.enqueue = enqueue
    }
}

/// Durable storage for events, deliveries, attempts and rule state.
public protocol DeliveryStore: Sendable {
    /// Stores rules files, returning the snapshot's version (the same content returns the same version).
    func saveRules(_ snapshot: RulesSnapshot, now: Int64) async throws -> Int64
    /// The rules files of a version.
    func rules(version: Int64) async throws -> RulesSnapshot?

    /// Stores each request's events and deliveries durably before returning; all batches passed
    /// together are committed in one transaction (group commit). Events already stored are duplicates.
    func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult]
    /// An event by id.
    func event(id: String) async throws -> StoredEvent?
    /// The events found among `ids`, by id: one read for the events of a claim.
    func events(ids: [String]) async throws -> [String: StoredEvent]

    /// Claims due pending deliveries of unpaused rules for `owner` until `now + lease`, oldest due first,
    /// within `limit` (in all, and per rule), and takes back running deliveries whose lease expired.
    func claim(now: Int64, limit: ClaimLimit, lease: Duration, owner: String) async throws -> [Delivery]
    /// Records an attempt of a claimed delivery and applies its transition, in one transaction.
    func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64) async throws
    /// Returns every running delivery of `owner` to pending (a clean shutdown, or a restart of the only instance).
    func releaseAll(owner: String?, now: Int64) async throws -> Int
    /// Moves the leases of `owner`'s running deliveries to `until`, so that a live worker keeps what it
    /// is working on however long an attempt takes; returns how many.
    func renewLeases(owner: String, until: Int64) async throws -> Int

    /// Deliveries matching a query, newest first.
    func deliveries(_ query: DeliveryQuery) async throws -> [Delivery]
    /// One delivery and its attempts.
    func delivery(id: String) async throws -> (Delivery, [Attempt])?
    /// Makes deliveries pending again, due now, with their attempt count reset; returns the ids replayed.
    /// Running deliveries are not replayed (they would run twice), nor, when `states` is given, those
    /// in another state by now.
    func replay(_ ids: [String], now: Int64, onlyIn states: [Delivery.State]?) async throws -> [String]
    /// Removes up to `limit` finished deliveries (succeeded, failed, dead) last updated before `before`,
    /// with their attempts and the events they leave unnamed (received before `before`). When fewer than
    /// `limit` deliveries were left, it also removes other unnamed old events and the rules snapshots
    /// unused since before `before` that no delivery names, after marking the versions in `keeping` as
    /// used at `now`. Pending and running deliveries, and what they need, are never removed. Call again
    /// until `deliveries` comes back under `limit`.
    func prune(before: Int64, keeping versions: [Int64], limit: Int, now: Int64) async throws -> PruneResult
    /// How many deliveries are pending or running.
    func queueDepth() async throws -> Int
    /// When the next pending delivery of an unpaused rule not in `skipping` is due, if any.
    func nextDue(skipping rules: [String]) async throws -> Int64?

    /// Pauses or resumes a rule; a paused rule's deliveries wait and new events do not match it.
    func setPaused(rule: String, paused: Bool, reason: String?, now: Int64) async throws
    /// Paused rules and why.
    func pausedRules() async throws -> [String: String]
    /// Updates a rule's run of final failures: +1 on a failure, 0 on a success; returns the new count.
    func noteOutcome(rule: String, failed: Bool) async throws -> Int
    /// `record`, then, when the transition is final and `rule` is given, `noteOutcome` for it; returns
    /// the rule's run of failures (nil when not noted). A store may do both in one write.
    func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64,
                notingOutcomeOf rule: String?) async throws -> Int?
}

extension DeliveryStore {
    /// Replays deliveries in any state but running.
    public func replay(_ ids: [String], now: Int64) async throws -> [String] {
        try await replay(ids, now: now, onlyIn: nil)
    }

    public func events(ids: [String]) async throws -> [String: StoredEvent] {
        var found: [String: StoredEvent] = [:]
        for id in ids {
            if let event = try await event(id: id) { found[id] = event }
        }
        return found
    }

    public func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64,
                       notingOutcomeOf rule: String?) async throws -> Int? {
        try await record(attempt, delivery: delivery, transition: transition, now: now)
        guard let rule, transition.state != .pending else { return nil }
        return try await noteOutcome(rule: rule, failed: transition.state == .failed || transition.state == .dead)
    }
}

/// What one `prune` removed.
public struct PruneResult: Sendable, Hashable {
    /// Finished deliveries (their attempts went with them).
    public var deliveries: Int
    /// Events no delivery named any more.
    public var events: Int
    /// Rules snapshots no delivery named any more.
    public var snapshots: Int

    /// Creates a result.
    public init(deliveries: Int = 0, events: Int = 0, snapshots: Int = 0) {
        self.deliveries = deliveries
        self.events = events
        self.snapshots = snapshots
    }
}

/// How many deliveries a claim may take: in all, and per rule, so that one rule's backlog cannot take
/// every place in flight (a slow receiver would then hold up every other rule's deliveries).
public struct ClaimLimit: Sendable, Hashable {
    /// Deliveries in all.
    public var total: Int
    /// The most places in flight one rule may hold.
    public var perRule: Int
    /// Places each rule holds now (rules holding none may be left out).
    public var held: [String: Int]
    /// Rules left out of the claim, sorted: those with no room left, or (from the workers) still too
    /// little room to be worth a claim.
    public var fullRules: [String]

    /// A limit of `total` in all and `perRule` places per rule, given what rules hold now; `full`
    /// defaults to the rules with no room left.
    public init(total: Int, perRule: Int = .max, held: [String: Int] = [:], full: [String]? = nil) {
        self.total = total
        self.perRule = perRule
        self.held = held
        self.fullRules = (full ?? held.filter { $0.value >= perRule }.map(\.key)).sorted()
    }

    /// How many more places `rule` may take.
    public func room(for rule: String) -> Int { max(0, perRule - held[rule, default: 0]) }
}

extension DeliveryStore {
    /// Claims up to `limit` due deliveries, with no limit per rule.
    public func claim(now: Int64, limit: Int, lease: Duration, owner: String) async throws -> [Delivery] {
        try await claim(now: now, limit: ClaimLimit(total: limit), lease: lease, owner: owner)
    }

    /// When the next pending delivery of an unpaused rule is due, if any.
    public func nextDue() async throws -> Int64? {
        try await nextDue(skipping: [])
    }
}
