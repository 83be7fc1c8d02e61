/// The delivery workers: claim due deliveries, run their action plugins, record every attempt.
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Works the delivery queue until shutdown; a `Service` of the server's service group.
public final class DeliveryWorkers: Service, Sendable {
    /// Tuning knobs.
    public struct Settings: Sendable {
        /// Deliveries in flight at once, over all targets, those waiting for a target's `concurrency`
        /// included. Each holds a lease and a little memory; the per-target limits keep receivers safe.
        public var maxInFlight = 512
        /// How long a claim holds a delivery before another worker may take it back.
        public var lease: Duration = .seconds(300)
        /// The longest the loop sleeps without looking at the queue.
        public var idlePoll: Duration = .seconds(1)
        /// How long shutdown waits for in-flight deliveries before leaving them to the next start.
        public var drainTimeout: Duration = .seconds(10)
        /// The identity that holds leases.
        public var owner = "harbinger-\(DeliveryID.make().prefix(8))"

        /// Default settings.
        public init() {}
    }

    let store: any DeliveryStore
    let catalog: RulesCatalog
    let plugins: ActionPlugins
    let clock: any WallClock
    let settings: Settings
    /// Each target's places, and the deliveries waiting for one.
    let targets = Mutex(TargetQueues<Prepared>())
    let logger: Logger
    /// Places in flight, shared with the ingest path, which hands over deliveries it claimed.
    public let handoff: DeliveryHandoff
    let doorbell = Doorbell()
    /// Set by `wake`: the loop claims on its next turn.
    let claimWanted = Atomic<Bool>(false)

    /// Creates the workers.
    public init(store: any DeliveryStore, catalog: RulesCatalog, plugins: ActionPlugins, clock: any WallClock = SystemClock(),
                settings: Settings = Settings(), logger: Logger = Logger(label: "harbinger.delivery")) {
        self.store = store
        self.catalog = catalog
        self.plugins = plugins
        self.clock = clock
        self.settings = settings
        self.logger = logger
        self.handoff = DeliveryHandoff(capacity: settings.maxInFlight, owner: settings.owner, lease: settings.lease)
        let doorbell = self.doorbell
        handoff.onReady { Task { await doorbell.ring() } }
    }

    /// Tells the loop new work may be due in the store (a replay, a chain's next step): it claims at once.
    public func wake() {
        claimWanted.store(true, ordering: .relaxed)
        Task { await doorbell.ring() }
    }

    public func run() async throws {
        let recovered = try await store.releaseAll(owner: nil, now: clock.now())
        if recovered > 0 { logger.info("returned deliveries in flight at the last stop to the queue", metadata: ["count": "\(recovered)"]) }
        // Discarding: a finished delivery's task is freed at once. A plain task group keeps every finished
        // child until `next()` collects it, and this loop never does: a server grew by tens of kilobytes
        // per delivery until it stopped.
        await withDiscardingTaskGroup { group in
            group.addTask { await self.renewLeases() }
            await withGracefulShutdownHandler {
                await self.loop(group: &group)
            } onGracefulShutdown: {
                self.wake()
            }
            // Deliveries handed over or waiting for their target are not started; they stay running in
            // the store until `releaseAll` below.
            let notStarted = handoff.takeReady().map(\.delivery.rule) + targets.withLock { $0.close() }.map(\.delivery.rule)
            handoff.release(rules: notStarted)
            // Drain: give in-flight deliveries a bounded time, then leave the rest to the next start.
            await withTaskGroup(of: Void.self) { race in
                race.addTask { await self.handoff.waitUntilEmpty() }
                race.addTask { try? await Task.sleep(for: self.settings.drainTimeout) }
                await race.next()
                race.cancelAll()
            }
            // The lease renewal, and the deliveries still running when the drain gave up.
            group.cancelAll()
        }
        // In a task of its own: when this one was cancelled (a stop that outlived its grace period), the
        // store would refuse the write, and the deliveries would wait for their leases to run out.
        let (store, owner, now) = (store, settings.owner, clock.now())
        _ = try? await Task { try await store.releaseAll(owner: owner, now: now) }.value
    }

    /// Starts the deliveries handed over at ingest, and claims from the store only when it may hold
    /// due deliveries nobody took: at start, after `wake` (a replay, a chain's next step, shutdown) or
    /// an ingest that left deliveries pending, at the next due time or the idle poll, and again
    /// after a claim that filled every free place. A finished delivery only rings: most deliveries
    /// are handed over at ingest, and a claim per finished delivery cost three store round trips.
    private func loop(group: inout DiscardingTaskGroup) async {
        var claimAt = clock.now()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for claimed in handoff.takeReady() {
                start(claimed.delivery, event: claimed.event, in: &group)
            }
            let woken = claimWanted.exchange(false, ordering: .relaxed)
            if woken || handoff.takePendingNote() { claimAt = min(claimAt, clock.now()) }
            let untilClaim = claimAt - clock.now()
            if untilClaim > 0 {
                await doorbell.wait(upTo: .milliseconds(untilClaim))
                continue
            }
            // While many deliveries are in flight, claim in batches rather than one place at a time:
            // each finished delivery rings, and every claim is a write.
            let open = handoff.capacity - handoff.used
            if open < handoff.capacity && open < max(1, handoff.capacity / 8) {
                await doorbell.wait(upTo: settings.idlePoll)
                continue
            }
            let free = handoff.reserve(open)
            var claimed: [Delivery] = []
            if free > 0 {
                do {
                    claimed = try await store.claim(now: clock.now(), limit: handoff.claimLimit(total: free), lease: settings.lease,
                                                    owner: settings.owner)
                } catch {
                    logger.error("claiming deliveries failed", metadata: ["error": "\(error)"])
                }
                handoff.assign(claimed.map(\.rule))
                handoff.release(free - claimed.count)
            }
            // One read for the whole claim; a delivery whose event is missing here is read again, then retried.
            let events = (try? await store.events(ids: Array(Set(claimed.map(\.eventID))))) ?? [:]
            for delivery in claimed {
                start(delivery, event: events[delivery.eventID], in: &group)
            }
            if free > 0 && claimed.count == free { continue }
            // Nothing more is due now: claim next when the next delivery is due or at the idle poll,
            // unless woken for it sooner; sleep until then or until a ring.
            var wait = settings.idlePoll
            // Rules holding their whole share are left out: one of their deliveries finishing wakes the loop.
            if let nextDue = try? await store.nextDue(skipping: handoff.fullRules) {
                wait = min(wait, .milliseconds(max(0, nextDue - clock.now())))
            }
            claimAt = clock.now() + wait.milliseconds
            if wait > .zero { await doorbell.wait(upTo: wait) }
        }
    }

    /// Keeps the leases of the deliveries in flight from running out while they run, every third of a
    /// lease: an attempt may outlast a lease (a script's `timeout` can be ten minutes), and a claim takes
    /// back expired leases, which would start the same delivery a second time. A stopped or crashed
    /// server renews nothing, so its leases do run out. Ends when cancelled.
    private func renewLeases() async {
        while true {
            do {
                try await Task.sleep(for: settings.lease / 3)
            } catch {
                return
            }
            guard handoff.used > 0 else { continue }
            do {
                _ = try await store.renewLeases(owner: settings.owner, until: clock.now() + settings.lease.milliseconds)
            } catch {
                logger.error("renewing the leases of deliveries in flight failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Works a claimed delivery, which holds a place, in the workers' task group.
    private func start(_ delivery: Delivery, event: StoredEvent?, in group: inout DiscardingTaskGroup) {
        group.addTask { await self.deliver(delivery, event: event) }
    }
}

/// Wakes a sleeping loop; a ring with nobody waiting is remembered once.
actor Doorbell {
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    func ring() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            rung = true
        }
    }

    func wait(upTo duration: Duration) async {
        if rung {
            rung = false
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend() }
            group.addTask {
                // Rings when cancelled too: the suspended child must end, or the group (and a cancelled
                // workers' loop with it) never does. A ring after a real one is cleared below.
                try? await Task.sleep(for: duration)
                await self.ring()
            }
            await group.next()
            group.cancelAll()
        }
        rung = false
    }

    private func suspend() async {
        if rung { return }  // rung before this child got to wait
        await withCheckedContinuation { waiter = $0 }
    }
}
