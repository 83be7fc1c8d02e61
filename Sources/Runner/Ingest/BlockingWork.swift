/// Runs long synchronous work (a rules load) off the executor that serves requests.
import Dispatch

/// `serve` makes NIO's event loops Swift's global executor (no thread hop between a connection and its
/// handler), so a task that computes for a long time stalls every connection of its loop. A rules
/// load takes up to a second at 10,000 rules: it runs on a Dispatch thread instead, and the task waits.
public enum BlockingWork {
    /// Runs `work` on a Dispatch worker thread and returns its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
