import Foundation
import GRDB
import Synchronization
import Testing
@testable import Runner

/// The workers' claim loop against a real SQLite store and real scripts: deliveries handed over at
/// ingest cost no claim, an ingest that leaves deliveries pending gets them claimed at once (not at the
/// idle poll), and cancelling the workers ends their run.
struct DeliveryWorkersTests {
    /// A `DeliveryStore` that counts the workers' claims and forwards everything to SQLite.
    final class CountingStore: DeliveryStore {
        let base: SQLiteStore
        private let claimCount = Atomic<Int>(0)
        var claims: Int { claimCount.load(ordering: .relaxed) }
        /// How many of the next rules-snapshot reads fail, as a store that cannot be read for a while.
        let failingSnapshotReads = Atomic<Int>(0)
        /// Rules-snapshot reads so far.
        let snapshotReads = Atomic<Int>(0)
        /// How many of the next rules-snapshot reads are cancelled, as at a shutdown.
        let cancelledSnapshotReads = Atomic<Int>(0)

        struct Unreadable: Error, CustomStringConvertible {
            var description: String { "disk I/O error" }
        }

        init(_ base: SQLiteStore) { self.base = base }

        func claim(now: Int64, limit: ClaimLimit, lease: Duration, owner: String) async throws -> [Delivery] {
            claimCount.add(1, ordering: .relaxed)
            return try await base.claim(now: now, limit: limit, lease: lease, owner: owner)
        }

        func saveRules(_ snapshot: RulesSnapshot, now: Int64) async throws -> Int64 { try await base.saveRules(snapshot, now: now) }
        func rules(version: Int64) async throws -> RulesSnapshot? {
            snapshotReads.add(1, ordering: .relaxed)
            if failingSnapshotReads.load(ordering: .relaxed) > 0 {
                failingSnapshotReads.subtract(1, ordering: .relaxed)
                throw Unreadable()
            }
            if cancelledSnapshotReads.load(ordering: .relaxed) > 0 {
                cancelledSnapshotReads.subtract(1, ordering: .relaxed)
                throw CancellationError()
            }
            return try await base.rules(version: version)
        }
        func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult] { try await base.ingest(batches) }
        func event(id: String) async throws -> StoredEvent? { try await base.event(id: id) }
        func events(ids: [String]) async throws -> [String: StoredEvent] { try await base.events(ids: ids) }
        func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64) async throws {
            try await base.record(attempt, delivery: delivery, transition: transition, now: now)
        }
        func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64,
                    notingOutcomeOf rule: String?) async throws -> Int? {
            try await base.record(attempt, delivery: delivery, transition: transition, now: now, notingOutcomeOf: rule)
        }
        func releaseAll(owner: String?, now: Int64) async throws -> Int { try await base.releaseAll(owner: owner, now: now) }
        func renewLeases(owner: String, until: Int64) async throws -> Int { try await base.renewLeases(owner: owner, until: until) }
        func deliveries(_ query: DeliveryQuery) async throws -> [Delivery] { try await base.deliveries(query) }
        func delivery(id: String) async throws -> (Delivery, [Attempt])? { try await base.delivery(id: id) }
        func replay(_ ids: [String], now: Int64, onlyIn states: [Delivery.State]?) async throws -> [String] {
            try await base.replay(ids, now: now, onlyIn: states)
        }
        func prune(before: Int64, keeping versions: [Int64], limit: Int, now: Int64) async throws -> PruneResult {
            try await base.prune(before: before, keeping: versions, limit: limit, now: now)
        }
        func queueDepth() async throws -> Int { try await base.queueDepth() }
        func nextDue(skipping rules: [String]) async throws -> Int64? { try await base.nextDue(skipping: rules) }
        func setPaused(rule: String, paused: Bool, reason: String?, now: Int64) async throws {
            try await base.setPaused(rule: rule, paused: paused, reason: reason, now: now)
        }
        func pausedRules() async throws -> [String: String] { try await base.pausedRules() }
        func noteOutcome(rule: String, failed: Bool) async throws -> Int { try await base.noteOutcome(rule: rule, failed: failed) }
    }

    struct Setup {
        let store: CountingStore
        let ingestor: Ingestor
        let source: Source
        let workers: DeliveryWorkers
        let catalog: RulesCatalog
        let directory: URL
    }

    /// Workers with `capacity` places whose idle poll is an hour unless given, so that every claim in a
    /// test comes from the loop's own reasons; one rule runs `command` for every push.
    static func setUp(capacity: Int, command: [String], lease: Duration = .seconds(300),
                      idlePoll: Duration = .seconds(3600), moreRules: String = "", defaults: String = "") async throws -> Setup {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-workers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let rulesText = """
            version: 1
            sources: [{name: registry, kind: distribution}]
            rules:
              - name: run
                when: {event: push}
                do: [{shell: {command: [\(command.map { "\"\($0)\"" }.joined(separator: ", "))], concurrency: \(capacity)}}]
            \(moreRules)
            \(defaults)
            """
        let sqlite = try SQLiteStore(path: dir.appendingPathComponent("h.db").path)
        let store = CountingStore(sqlite)
        let file = try #require(RulesLoader(environment: [:]).load(text: rulesText).rules)
        let version = try await store.saveRules(RulesSnapshot(files: [.init(name: "rules.yml", content: Array(rulesText.utf8))]), now: 0)
        // A snapshot that fails to compile is tried again after 3 s (10 s in a server).
        let catalog = RulesCatalog(current: LoadedRules(file: file, version: version), store: store, failureMemory: .seconds(3))
        var plugins = ActionPlugins()
        plugins.register(ShellAction())
        var settings = DeliveryWorkers.Settings()
        settings.maxInFlight = capacity
        settings.idlePoll = idlePoll
        settings.lease = lease
        let workers = DeliveryWorkers(store: store, catalog: catalog, plugins: plugins, settings: settings)
        let ingestor = Ingestor(store: store, catalog: catalog, clock: SystemClock(), handoff: workers.handoff)
        return Setup(store: store, ingestor: ingestor, source: try #require(file.source(named: "registry")), workers: workers,
                     catalog: catalog, directory: dir)
    }

    /// Waits (30 s at most) until `condition` holds.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<600 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    static func succeeded(_ store: CountingStore) async throws -> Int {
        try await store.deliveries(DeliveryQuery(state: .succeeded, limit: 1_000)).count
    }

    @Test func deliveriesHandedOverAtIngestCostNoClaim() async throws {
        let setup = try await Self.setUp(capacity: 8, command: ["/bin/true"])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let run = Task { try await setup.workers.run() }
        defer { run.cancel() }
        #expect(try await Self.eventually { setup.store.claims >= 1 })  // the claim at start
        let atStart = setup.store.claims

        // One at a time, so that every delivery finds a place at ingest and nothing is left pending.
        for index in 0..<10 {
            _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e\(index)", repository: "shop/web", tag: "\(index)"),
                                                source: setup.source)
            #expect(try await Self.eventually { try await Self.succeeded(setup.store) == index + 1 })
        }
        // A finished delivery only rings the loop: it used to cost a claim (and an events read and a
        // next-due read) each, ten here. (A busy machine can still see a stray one.)
        #expect(setup.store.claims - atStart <= 2)
    }

    @Test func anIngestThatLeavesDeliveriesPendingGetsThemClaimedAtOnce() async throws {
        // One place, and a script that holds it a while: the first event's delivery is handed over,
        // the others are stored pending. The idle poll is an hour away, so only the ingest's note can
        // bring them out within the test's wait.
        let setup = try await Self.setUp(capacity: 1, command: ["/bin/sleep", "0.2"])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let run = Task { try await setup.workers.run() }
        defer { run.cancel() }
        #expect(try await Self.eventually { setup.store.claims >= 1 })
        let atStart = setup.store.claims

        for index in 0..<4 {
            _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e\(index)", repository: "shop/web", tag: "\(index)"),
                                                source: setup.source)
        }
        #expect(try await setup.store.deliveries(DeliveryQuery(state: .pending)).count >= 1)
        #expect(try await Self.eventually { try await Self.succeeded(setup.store) == 4 })
        #expect(setup.store.claims > atStart)
    }

    @Test func theLeaseOfADeliveryInFlightIsRenewedUntilItEnds() async throws {
        // A one-second lease and a script that runs until the test opens its gate: while it runs, the
        // lease in the store keeps moving forward (a claim would otherwise take the delivery back after a
        // second and start it again); once it ends, the attempt is recorded once.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-lease-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("gated.sh"), gate = dir.appendingPathComponent("gate")
        try "#!/bin/sh\nwhile [ ! -e \"$1\" ]; do sleep 0.05; done\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let setup = try await Self.setUp(capacity: 4, command: [script.path, gate.path], lease: .seconds(1))
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let run = Task { try await setup.workers.run() }
        defer { run.cancel() }

        _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e1", repository: "shop/web", tag: "1"), source: setup.source)
        let claimed = try #require(try await setup.store.deliveries(DeliveryQuery()).first)
        let firstLease = try #require(claimed.leaseUntil)
        #expect(try await Self.eventually {
            (try await setup.store.deliveries(DeliveryQuery()).first?.leaseUntil ?? 0) > firstLease + 1_000
        }, "the lease was not renewed")
        #expect(try await setup.store.deliveries(DeliveryQuery(state: .running)).count == 1)

        _ = FileManager.default.createFile(atPath: gate.path, contents: nil)
        #expect(try await Self.eventually { try await Self.succeeded(setup.store) == 1 })
        #expect(try await setup.store.deliveries(DeliveryQuery()).first?.attempts == 1)
        #expect(try await setup.store.deliveries(DeliveryQuery()).first?.leaseUntil == nil)
    }

    /// A rules text for reload `number`: no rules, and the quick retries the tests' own rules have (a
    /// delivery whose snapshot cannot be loaded retries under the current rules' defaults).
    static func reloaded(_ number: Int) -> String {
        "version: 1\nrules: []\ndefaults: {retry: {attempts: 1000, backoff: 50ms, max_backoff: 100ms}}\n# reload \(number)\n"
    }

    /// Ingests one push under the catalog's current snapshot without handing it to the workers, then
    /// reloads twice, so that its snapshot is neither current nor cached and must be read from the store.
    static func pushUnderAnEvictedSnapshot(_ setup: Setup, rulesText: (Int) -> String) async throws -> Delivery {
        let ingestor = Ingestor(store: setup.store, catalog: setup.catalog, clock: SystemClock())
        _ = try await ingestor.ingest(DebounceTests.push(id: "e1", repository: "shop/web", tag: "1"), source: setup.source)
        for reload in 1...2 {
            let text = rulesText(reload)
            let file = try #require(RulesLoader(environment: [:]).load(text: text).rules)
            let version = try await setup.store.saveRules(RulesSnapshot(files: [.init(name: "rules.yml", content: Array(text.utf8))]), now: 0)
            setup.catalog.replace(with: LoadedRules(file: file, version: version))
        }
        let delivery = try #require(try await setup.store.deliveries(DeliveryQuery()).first)
        #expect(delivery.rulesVersion != setup.catalog.current.version)
        #expect(!setup.catalog.cachedOlderVersions.contains(delivery.rulesVersion))
        return delivery
    }

    @Test func aSnapshotTheStoreCannotReadForAWhileIsRetriedNotFailed() async throws {
        // The first read of the delivery's snapshot fails, as a busy or briefly broken disk would: the
        // attempt is a retry under the defaults' policy, and the next one runs the script. It used to
        // fail the delivery for good.
        let setup = try await Self.setUp(capacity: 4, command: ["/bin/true"],
                                         defaults: "defaults: {retry: {attempts: 3, backoff: 50ms, max_backoff: 100ms}}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let delivery = try await Self.pushUnderAnEvictedSnapshot(setup) { Self.reloaded($0) }
        setup.store.failingSnapshotReads.store(1, ordering: .relaxed)
        let run = Task { try await setup.workers.run() }
        defer { run.cancel() }

        #expect(try await Self.eventually { try await Self.succeeded(setup.store) == 1 })
        let (final, attempts) = try #require(try await setup.store.delivery(id: delivery.id))
        #expect(final.attempts == 2)
        #expect(attempts.map(\.verdict) == ["retry", "success"])
        #expect(attempts.first?.status == "rules snapshot \(delivery.rulesVersion) cannot be loaded: disk I/O error")
    }

    @Test func aSnapshotLoadCancelledByAShutdownRecordsNoAttempt() async throws {
        // Stopping the workers cancels what they were doing; a snapshot read cut short that way is not
        // an attempt. The delivery goes back to pending with no history (its lease is released even though
        // the workers' own task was cancelled) and runs once on the next start.
        let setup = try await Self.setUp(capacity: 4, command: ["/bin/true"])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let delivery = try await Self.pushUnderAnEvictedSnapshot(setup) { Self.reloaded($0) }
        setup.store.cancelledSnapshotReads.store(1, ordering: .relaxed)
        let first = Task { try await setup.workers.run() }
        #expect(try await Self.eventually { setup.store.snapshotReads.load(ordering: .relaxed) >= 1 })
        first.cancel()
        try await first.value
        let (stopped, none) = try #require(try await setup.store.delivery(id: delivery.id))
        #expect(stopped.state == .pending && stopped.attempts == 0)
        #expect(none.isEmpty)

        // The next start: new workers, as after a restart.
        var plugins = ActionPlugins()
        plugins.register(ShellAction())
        let restarted = DeliveryWorkers(store: setup.store, catalog: setup.catalog, plugins: plugins)
        let second = Task { try await restarted.run() }
        defer { second.cancel() }
        #expect(try await Self.eventually { try await Self.succeeded(setup.store) == 1 })
        let (final, attempts) = try #require(try await setup.store.delivery(id: delivery.id))
        #expect(final.attempts == 1)
        #expect(attempts.map(\.verdict) == ["success"])
    }

    @Test func aSnapshotWhoseSecretFileIsGoneIsRetriedUntilItIsBack() async throws {
        // Secrets are not stored: a snapshot loaded again reads its `value_file` again. While that file
        // is missing, attempts retry and say which file; once it is back, the delivery runs.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = dir.appendingPathComponent("token")
        try "s3cret\n".write(to: secret, atomically: true, encoding: .utf8)
        let setup = try await Self.setUp(
            capacity: 4, command: ["/bin/true"],
            moreRules: "  - {name: signed, when: {event: delete}, do: [{http: {url: \"http://127.0.0.1:9/\", bearer_file: \"\(secret.path)\"}}]}",
            defaults: "defaults: {retry: {attempts: 50, backoff: 50ms, max_backoff: 100ms}}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let delivery = try await Self.pushUnderAnEvictedSnapshot(setup) { Self.reloaded($0) }
        try FileManager.default.removeItem(at: secret)
        let run = Task { try await setup.workers.run() }
        defer { run.cancel() }

        #expect(try await Self.eventually { (try await setup.store.delivery(id: delivery.id)?.0.attempts ?? 0) >= 2 })
        let (waiting, tried) = try #require(try await setup.store.delivery(id: delivery.id))
        #expect(waiting.state != .succeeded)
        #expect(tried.allSatisfy { $0.verdict == "retry" && $0.status.contains(secret.path) })
        // Attempts at most 100 ms apart within the catalog's memory of the failure: compiled once, not per attempt.
        if tried.count <= 3 { #expect(setup.store.snapshotReads.load(ordering: .relaxed) == 1, "\(tried.map(\.startedAt))") }
        try "s3cret\n".write(to: secret, atomically: true, encoding: .utf8)
        #expect(try await Self.eventually { try await Self.succeeded(setup.store) == 1 })
    }

    @Test func aDeliveryWhoseSnapshotIsNotInTheStoreFailsAtOnce() async throws {
        let setup = try await Self.setUp(capacity: 4, command: ["/bin/true"],
                                         defaults: "defaults: {retry: {attempts: 5, backoff: 50ms, max_backoff: 100ms}}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let delivery = try await Self.pushUnderAnEvictedSnapshot(setup) { Self.reloaded($0) }
        try await setup.store.base.pool.write { db in
            try db.execute(sql: "UPDATE deliveries SET rules_version = 999 WHERE id = ?", arguments: [delivery.id])
        }
        let run = Task { try await setup.workers.run() }
        defer { run.cancel() }

        #expect(try await Self.eventually { try await setup.store.delivery(id: delivery.id)?.0.state == .failed })
        let (_, attempts) = try #require(try await setup.store.delivery(id: delivery.id))
        #expect(attempts.map(\.status) == ["rules snapshot 999 is not in the store"])
    }

    @Test func cancellingTheWorkersEndsTheirRun() async throws {
        let setup = try await Self.setUp(capacity: 4, command: ["/bin/true"])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        final class Flag: Sendable { let raised = Atomic<Bool>(false) }
        let ended = Flag()
        let run = Task { try? await setup.workers.run() }
        Task {
            await run.value
            ended.raised.store(true, ordering: .relaxed)
        }
        // Asleep in its idle wait (an hour) after the claim at start.
        #expect(try await Self.eventually { setup.store.claims >= 1 })
        try await Task.sleep(for: .milliseconds(100))
        run.cancel()
        #expect(try await Self.eventually { ended.raised.load(ordering: .relaxed) })
    }
}
