/// The workers' places in flight, shared with the ingest path so that a freshly stored delivery can
/// be claimed in its ingest transaction and handed straight to a worker, with no second read or write.
import Synchronization

/// Counts deliveries in flight against the workers' limit and carries deliveries claimed at ingest
/// to the workers. A place is reserved before a claim and given back when its delivery is recorded.
public final class DeliveryHandoff: Sendable {
    /// A delivery claimed elsewhere (at ingest), with the event it delivers.
    public struct Claimed: Sendable {
        /// The delivery, stored as running under this hand-off's lease.
        public var delivery: Delivery
        /// Its event, as stored.
        public var event: StoredEvent

        /// Pairs a claimed delivery with its event.
        public init(delivery: Delivery, event: StoredEvent) {
            self.delivery = delivery
            self.event = event
        }
    }

    private struct State {
        var used = 0
        /// Places held by each rule's deliveries (claimed or handed over, until done).
        var held: [String: Int] = [:]
        /// Rules that reached `perRule`, left out of claims until they are down by `refill`.
        var full: Set<String> = []
        var ready: [Claimed] = []
        /// `waitUntilEmpty` callers, by a serial.
        var whenEmpty: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWait = 0
        var onReady: (@Sendable () -> Void)?
        var pendingStored = false
    }

    /// Deliveries in flight at once, over all targets (those waiting for a target's `concurrency` included).
    public let capacity: Int
    /// The most places one rule's deliveries may hold: half of them, so that a rule whose receiver hangs
    /// with a long backlog leaves the other half to every other rule.
    public let perRule: Int
    /// How far a full rule must come down before claims take it again: claims in batches, not one
    /// place at a time.
    public let refill: Int
    /// Who holds the leases of claimed deliveries.
    public let owner: String
    /// How long a claim holds a delivery before another worker may take it back.
    public let lease: Duration
    private let state = Mutex(State())

    /// Creates a hand-off with `capacity` places, claiming for `owner` under `lease`.
    public init(capacity: Int, owner: String, lease: Duration) {
        self.capacity = capacity
        self.perRule = max(1, capacity / 2)
        self.refill = max(1, min(capacity / 4, perRule / 2))
        self.owner = owner
        self.lease = lease
    }

    /// Places taken now: deliveries reserved, queued or running.
    public var used: Int { state.withLock { $0.used } }

    /// Takes up to `count` free places, for a claim whose rules are not known yet; returns how many it
    /// got. `assign` gives them to the rules claimed, `release` gives back the rest.
    public func reserve(_ count: Int) -> Int {
        state.withLock { state in
            let taken = max(0, min(count, capacity - state.used))
            state.used += taken
            return taken
        }
    }

    /// Takes a place for each delivery of `rules` that fits, in order: while places are free and its rule
    /// holds fewer than `perRule`. Returns the positions that got one.
    public func reserve(rules: [String]) -> [Int] {
        state.withLock { state in
            var taken: [Int] = []
            for (index, rule) in rules.enumerated() where state.used < capacity {
                guard state.held[rule, default: 0] < perRule else { continue }
                take(rule, &state)
                state.used += 1
                taken.append(index)
            }
            return taken
        }
    }

    /// Gives places reserved with `reserve(_:)` to the rules of the deliveries claimed with them.
    public func assign(_ rules: [String]) {
        state.withLock { state in
            for rule in rules { take(rule, &state) }
        }
    }

    /// Counts a place held by `rule`.
    private func take(_ rule: String, _ state: inout State) {
        state.held[rule, default: 0] += 1
        if state.held[rule, default: 0] >= perRule { state.full.insert(rule) }
    }

    /// Gives back `count` places reserved with `reserve(_:)` and not assigned.
    public func release(_ count: Int) {
        guard count > 0 else { return }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.used -= count
            return Self.emptied(&state)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Gives back a place of each delivery of `rules`. Returns true when one of them was full and is now
    /// down by `refill`: its due deliveries, left out of claims until now, may be claimed again.
    @discardableResult
    public func release(rules: [String]) -> Bool {
        guard !rules.isEmpty else { return false }
        var refilled = false
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            for rule in rules {
                let held = state.held[rule, default: 0] - 1
                state.held[rule] = held > 0 ? held : nil
                if held <= perRule - refill, state.full.remove(rule) != nil { refilled = true }
            }
            state.used -= rules.count
            return Self.emptied(&state)
        }
        for waiter in waiters { waiter.resume() }
        return refilled
    }

    /// The waiters to resume when no place is taken any more.
    private static func emptied(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard state.used == 0 else { return [] }
        defer { state.whenEmpty = [:] }
        return Array(state.whenEmpty.values)
    }

    /// Rules left out of claims now (they hold their share, or have not come down by `refill`), sorted.
    public var fullRules: [String] { state.withLock { $0.full.sorted() } }

    /// What a claim may take now: up to `total` deliveries, within each rule's share of places.
    public func claimLimit(total: Int) -> ClaimLimit {
        state.withLock { ClaimLimit(total: total, perRule: perRule, held: $0.held, full: Array($0.full)) }
    }

    /// Queues deliveries claimed durably, each holding a place reserved before, and wakes the workers.
    public func hand(_ claimed: [Claimed]) {
        guard !claimed.isEmpty else { return }
        let onReady = state.withLock { state in
            state.ready += claimed
            return state.onReady
        }
        onReady?()
    }

    /// Tells the workers that deliveries of `rules` were stored pending, not handed over (debounced
    /// ones, or more than the free places): their claim loop has something to take, unless every one
    /// of those rules is full (a full rule's own deliveries ask for a claim when it is down by `refill`;
    /// a claim for nothing would scan its backlog).
    public func notePending(rules: [String]) {
        let onReady = state.withLock { state -> (@Sendable () -> Void)? in
            guard rules.contains(where: { !state.full.contains($0) }) else { return nil }
            state.pendingStored = true
            return state.onReady
        }
        onReady?()
    }

    /// True once after `notePending`.
    func takePendingNote() -> Bool {
        state.withLock { state in
            defer { state.pendingStored = false }
            return state.pendingStored
        }
    }

    /// Sets what `hand` calls to wake the workers.
    func onReady(_ wake: @escaping @Sendable () -> Void) {
        state.withLock { $0.onReady = wake }
    }

    /// Takes the queued deliveries.
    func takeReady() -> [Claimed] {
        state.withLock { state in
            defer { state.ready = [] }
            return state.ready
        }
    }

    /// Returns once no place is taken, or at once when the calling task is cancelled: shutdown stops
    /// waiting after its drain timeout and must not hang on a delivery that never ends.
    func waitUntilEmpty() async {
        let serial = state.withLock { state in
            state.nextWait += 1
            return state.nextWait
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Under the lock that `onCancel` takes too: a task cancelled before this point is seen
                // here (its flag is set before its handler runs), one cancelled after finds the waiter.
                let now = state.withLock { state -> Bool in
                    if state.used == 0 || Task.isCancelled { return true }
                    state.whenEmpty[serial] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.whenEmpty.removeValue(forKey: serial) }?.resume()
        }
    }
}
