/// Counters and timers made once per label set: asking the metrics backend for one on every request
/// costs a lock, a sanitizing pass over every label and a registry lookup, on the hottest path.
import Metrics
import Synchronization

/// Metric handles by label and dimensions, made on first use. Dimension values come from the rules
/// (source and rule names, outcomes), never from a request, so the cache stays as small as the rules.
public enum MetricsCache {
    private struct Key: Hashable {
        let label: String
        let dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            // Appended in place: `flatMap` would make an array per pair, on every request.
            var flat: [String] = []
            flat.reserveCapacity(2 * dimensions.count)
            for (name, value) in dimensions {
                flat.append(name)
                flat.append(value)
            }
            self.dimensions = flat
        }
    }

    private static let counters = Mutex<[Key: Counter]>([:])
    private static let timers = Mutex<[Key: Metrics.Timer]>([:])

    /// The counter for `label` and `dimensions`.
    public static func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        handle(in: counters, Key(label, dimensions)) { Counter(label: label, dimensions: dimensions) }
    }

    /// The timer for `label` and `dimensions`, shown in seconds.
    public static func secondsTimer(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Timer {
        handle(in: timers, Key(label, dimensions)) {
            Metrics.Timer(label: label, dimensions: dimensions, preferredDisplayUnit: .seconds)
        }
    }

    /// The handle cached under `key`, made by `make` the first time (outside the lock; a racing
    /// second one is dropped so every caller shares the first).
    private static func handle<Handle: Sendable>(in cache: borrowing Mutex<[Key: Handle]>, _ key: Key,
                                                 make: () -> Handle) -> Handle {
        if let handle = cache.withLock({ $0[key] }) { return handle }
        let made = make()
        return cache.withLock { handles in
            if let existing = handles[key] { return existing }
            handles[key] = made
            return made
        }
    }
}
