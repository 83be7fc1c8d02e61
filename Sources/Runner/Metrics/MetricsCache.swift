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
            self.dimensions = dimensions.flatMap { [$0.0, $0.1] }
        }
    }

    private static let counters = Mutex<[Key: Counter]>([:])
    private static let timers = Mutex<[Key: Metrics.Timer]>([:])

    /// The counter for `label` and `dimensions`.
    public static func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = Key(label, dimensions)
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let counter = Counter(label: label, dimensions: dimensions)
        return counters.withLock { counters in
            if let existing = counters[key] { return existing }
            counters[key] = counter
            return counter
        }
    }

    /// The timer for `label` and `dimensions`, shown in seconds.
    public static func secondsTimer(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Timer {
        let key = Key(label, dimensions)
        if let timer = timers.withLock({ $0[key] }) { return timer }
        let timer = Metrics.Timer(label: label, dimensions: dimensions, preferredDisplayUnit: .seconds)
        return timers.withLock { timers in
            if let existing = timers[key] { return existing }
            timers[key] = timer
            return timer
        }
    }
}
