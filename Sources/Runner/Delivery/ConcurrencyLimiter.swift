/// Bounds concurrent deliveries per target (a host, a script) so a burst cannot flood a receiver
/// or fork-bomb the machine.

/// Per-key counting semaphores; waiters are resumed in arrival order.
public actor ConcurrencyLimiter {
    private var inUse: [String: Int] = [:]
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Creates an empty limiter.
    public init() {}

    /// Waits until fewer than `limit` holders of `key` remain, then holds one place.
    public func acquire(_ key: String, limit: Int) async {
        if inUse[key, default: 0] < max(1, limit) {
            inUse[key, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    /// Gives a place back, handing it straight to the next waiter if there is one.
    public func release(_ key: String) {
        if var queue = waiters[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[key] = queue.isEmpty ? nil : queue
            next.resume()
            return
        }
        let count = inUse[key, default: 1] - 1
        inUse[key] = count > 0 ? count : nil
    }

    /// How many places `key` holds now.
    public func holders(_ key: String) -> Int { inUse[key, default: 0] }
}
