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
        var ready: [Claimed] = []
        var whenEmpty: [CheckedContinuation<Void, Never>] = []
        var onReady: (@Sendable () -> Void)?
        var pendingStored = false
    }

    /// Deliveries in flight at once, over all targets (those waiting for a target's `concurrency` included).
    public let capacity: Int
    /// Who holds the leases of claimed deliveries.
    public let owner: String
    /// How long a claim holds a delivery before another worker may take it back.
    public let lease: Duration
    private let state = Mutex(State())

    /// Creates a hand-off with `capacity` places, claiming for `owner` under `lease`.
    public init(capacity: Int, owner: String, lease: Duration) {
        self.capacity = capacity
        self.owner = owner
        self.lease = lease
    }

    /// Places taken now: deliveries reserved, queued or running.
    public var used: Int { state.withLock { $0.used } }

    /// Takes up to `count` free places; returns how many it got.
    public func reserve(_ count: Int) -> Int {
        state.withLock { state in
            let taken = max(0, min(count, capacity - state.used))
            state.used += taken
            return taken
        }
    }

    /// Gives `count` places back.
    public func release(_ count: Int) {
        guard count > 0 else { return }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.used -= count
            guard state.used == 0 else { return [] }
            defer { state.whenEmpty = [] }
            return state.whenEmpty
        }
        for waiter in waiters { waiter.resume() }
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

    /// Tells the workers that deliveries were stored pending, not handed over (debounced ones, or
    /// more than the free places): their claim loop has something to take.
    public func notePending() {
        let onReady = state.withLock { state in
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

    /// Returns once no place is taken.
    func waitUntilEmpty() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.used == 0 { return true }
                state.whenEmpty.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
