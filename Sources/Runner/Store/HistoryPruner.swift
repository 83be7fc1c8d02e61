/// Keeps the delivery history to its retention, so that a long-running server's store stops growing.
import Logging
import Metrics
import ServiceLifecycle

/// Removes finished deliveries, their attempts and events, and unused rules snapshots once they are
/// older than the retention: `--retention`, else the rules' `server.retention`, else 30 days. Pending
/// and running deliveries are never touched. Runs at start and then every hour (more often for a
/// retention under four hours), reading the retention again each time, so a reload applies.
public struct HistoryPruner: Service {
    let store: any DeliveryStore
    let catalog: RulesCatalog
    let clock: any WallClock
    let logger: Logger
    /// The command line's retention, over the rules file's.
    let override: HistoryRetention?
    /// Deliveries removed per write: a short transaction each, so ingests are not held up.
    let batch: Int

    /// Creates the pruner.
    public init(store: any DeliveryStore, catalog: RulesCatalog, clock: any WallClock = SystemClock(),
                logger: Logger = Logger(label: "harbinger.history"), override: HistoryRetention? = nil, batch: Int = 2_000) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.logger = logger
        self.override = override
        self.batch = max(1, batch)
    }

    /// The retention in force now.
    public var retention: HistoryRetention {
        override ?? catalog.current.file.server.retention ?? .standard
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let hour = Duration.seconds(3600), interval: Duration
            if case .after(let age) = retention {
                do {
                    _ = try await prune(olderThan: age)
                } catch {
                    logger.error("pruning the history failed; trying again later", metadata: ["error": "\(error)"])
                }
                interval = min(hour, max(.seconds(1), age / 4))
            } else {
                interval = hour
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Removes everything finished more than `age` ago, a batch at a time; returns what went.
    public func prune(olderThan age: Duration) async throws -> PruneResult {
        let before = clock.now() - age.milliseconds
        var total = PruneResult()
        // A batch at a time until one comes back short (that one also sweeps events and snapshots);
        // a shutdown leaves the rest to the next start.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Read for each batch: a reload may have made another snapshot current meanwhile.
            let keeping = [catalog.current.version] + catalog.cachedOlderVersions
            let pass = try await store.prune(before: before, keeping: keeping, limit: batch, now: clock.now())
            total.deliveries += pass.deliveries
            total.events += pass.events
            total.snapshots += pass.snapshots
            if pass.deliveries < batch { break }
            await Task.yield()
        }
        if total != PruneResult() {
            Counter(label: "harbinger_history_pruned_total", dimensions: [("kind", "deliveries")]).increment(by: total.deliveries)
            Counter(label: "harbinger_history_pruned_total", dimensions: [("kind", "events")]).increment(by: total.events)
            Counter(label: "harbinger_history_pruned_total", dimensions: [("kind", "snapshots")]).increment(by: total.snapshots)
            logger.info("pruned the history", metadata: [
                "deliveries": "\(total.deliveries)", "events": "\(total.events)", "snapshots": "\(total.snapshots)",
                "older_than": "\(age.milliseconds / 1000)s",
            ])
        }
        return total
    }
}
