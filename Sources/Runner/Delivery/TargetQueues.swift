/// Bounds concurrent deliveries per target (a host, a script) so a burst cannot flood a receiver
/// or fork-bomb the machine.
import NIOCore

/// Per-key places, with the work beyond a key's limit queued as plain values in arrival order.
///
/// Work that waits is data, not a suspended task: a delivery waiting for its target costs its own
/// values (a few hundred bytes and its event), where a task suspended in the middle of an attempt kept
/// its whole async frame chain, about 13 KiB. The caller that gives a place back runs the work that
/// takes it over. Not thread-safe by itself: the workers keep it in a `Mutex`.
struct TargetQueues<Work> {
    /// What `enter` decided.
    enum Entry {
        /// A place was free and is now held: run the work.
        case run
        /// The key is at its limit: the work waits, and `leave` hands it out later.
        case queued
        /// Closed for shutdown: the work neither runs nor waits.
        case refused
    }

    private var inUse: [String: Int] = [:]
    private var waiting: [String: CircularBuffer<Work>] = [:]
    private var closed = false

    /// Holds a place of `key` for `work`, or queues it when `limit` places are held.
    mutating func enter(_ key: String, limit: Int, _ work: Work) -> Entry {
        if closed { return .refused }
        let held = inUse[key, default: 0]
        guard held < max(1, limit) else {
            waiting[key, default: []].append(work)
            return .queued
        }
        inUse[key] = held + 1
        return .run
    }

    /// Gives a place of `key` back; returns the next queued work, which holds the place now.
    mutating func leave(_ key: String) -> Work? {
        // In place: a copy of the queue per hand-over made a burst quadratic.
        if let next = waiting[key]?.popFirst() {
            if waiting[key]?.isEmpty == true { waiting[key] = nil }
            return next
        }
        let count = inUse[key, default: 1] - 1
        inUse[key] = count > 0 ? count : nil
        return nil
    }

    /// Refuses new work from now on and returns the work still queued (which then never runs).
    mutating func close() -> [Work] {
        closed = true
        defer { waiting = [:] }
        return waiting.values.flatMap { $0 }
    }

    /// How many places `key` holds now.
    func holders(_ key: String) -> Int { inUse[key, default: 0] }

    /// How much work waits for `key`.
    func queued(_ key: String) -> Int { waiting[key]?.count ?? 0 }
}
