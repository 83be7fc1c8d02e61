import Foundation
import Testing
@testable import Runner

/// The catalog keeps the current rules and a bounded cache of older snapshots that queued deliveries still name.
struct RulesCatalogTests {
    static func text(_ rule: String) -> String {
        """
        version: 1
        sources: [{name: registry, kind: distribution}]
        rules:
          - name: \(rule)
            when: {event: push}
            do: [{shell: {command: [/bin/true]}}]
        """
    }

    /// Saves and compiles a rules text, as a reload does.
    static func load(_ rule: String, into store: SQLiteStore) async throws -> LoadedRules {
        let text = text(rule)
        let file = try #require(RulesLoader(environment: [:]).load(text: text).rules)
        let version = try await store.saveRules(RulesSnapshot(files: [.init(name: "rules.yml", content: Array(text.utf8))]), now: 0)
        return LoadedRules(file: file, version: version)
    }

    static func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try await body(try SQLiteStore(path: dir.appendingPathComponent("h.db").path))
    }

    @Test func everyRuleIsFoundByItsName() throws {
        let names = ["m", "b", "z", "a", "deploy-10", "deploy-9", "q"]
        let rules = names.map { "  - {name: \($0), when: {event: push}, do: [{shell: {command: [/bin/true]}}]}" }
        let text = "version: 1\nsources: [{name: registry, kind: distribution}]\nrules:\n" + rules.joined(separator: "\n")
        let loaded = LoadedRules(file: try #require(RulesLoader(environment: [:]).load(text: text).rules), version: 1)
        for name in names { #expect(loaded.rule(named: name)?.name == name) }
        for missing in ["", "0", "c", "deploy-1", "zz"] { #expect(loaded.rule(named: missing) == nil, "\(missing)") }
    }

    @Test func thePrunersRetentionIsTheFlagsThenTheRulesThenThirtyDays() async throws {
        try await Self.withStore { store in
            let plain = RulesCatalog(current: try await Self.load("r1", into: store), store: store, environment: [:])
            #expect(HistoryPruner(store: store, catalog: plain).retention == .standard)
            let text = Self.text("r2") + "\nserver: {retention: 7d}\n"
            let file = try #require(RulesLoader(environment: [:]).load(text: text).rules)
            let kept = RulesCatalog(current: LoadedRules(file: file, version: 2), store: store, environment: [:])
            #expect(HistoryPruner(store: store, catalog: kept).retention == .after(.seconds(7 * 86_400)))
            #expect(HistoryPruner(store: store, catalog: kept, override: .forever).retention == .forever)
            // A reload that changes it applies to the next pass.
            kept.replace(with: LoadedRules(file: try #require(RulesLoader(environment: [:]).load(text: Self.text("r3")).rules), version: 3))
            #expect(HistoryPruner(store: store, catalog: kept).retention == .standard)
        }
    }

    /// A wall clock a day ahead, so that everything stored now is old to the pruner.
    struct DayAhead: WallClock {
        func now() -> Int64 { SystemClock().now() + 86_400_000 }
    }

    @Test func thePrunerWorksInBatchesAndKeepsTheSnapshotsTheCatalogHolds() async throws {
        try await Self.withStore { store in
            let catalog = RulesCatalog(current: try await Self.load("r1", into: store), store: store, environment: [:])
            catalog.replace(with: try await Self.load("r2", into: store))
            catalog.replace(with: try await Self.load("r3", into: store))  // current 3, previous 2; 1 is unused
            let source = try #require(catalog.current.file.source(named: "registry"))
            let ingestor = Ingestor(store: store, catalog: catalog)
            for index in 0..<5 {
                _ = try await ingestor.ingest(DebounceTests.push(id: "e\(index)", repository: "shop/web", tag: "\(index)"), source: source)
            }
            let now = SystemClock().now()
            for delivery in try await store.claim(now: now, limit: 10, lease: .seconds(30), owner: "w") {
                let attempt = Attempt(deliveryID: delivery.id, number: 1, startedAt: now, durationMillis: 1, status: "exit 0",
                                      verdict: "success", excerpt: nil)
                try await store.record(attempt, delivery: delivery, transition: Transition(state: .succeeded), now: now)
            }

            let pruner = HistoryPruner(store: store, catalog: catalog, clock: DayAhead(), batch: 2)
            // Three batches (2, 2, 1): the loop goes on while batches come back full.
            #expect(try await pruner.prune(olderThan: .seconds(3600)) == PruneResult(deliveries: 5, events: 5, snapshots: 1))
            #expect(try await store.deliveries(DeliveryQuery()).isEmpty)
            #expect(try await store.rules(version: 1) == nil)
            #expect(try await store.rules(version: 2) != nil)  // the catalog's previous snapshot
            #expect(try await store.rules(version: 3) != nil)  // current, and named by no delivery any more
            #expect(try await pruner.prune(olderThan: .seconds(3600)) == PruneResult())
        }
    }

    @Test func reloadsKeepOnlyTheMostRecentOlderSnapshotCompiled() async throws {
        try await Self.withStore { store in
            let first = try await Self.load("r1", into: store)
            let catalog = RulesCatalog(current: first, store: store, environment: [:])
            var versions = [first.version]
            for name in ["r2", "r3", "r4"] {
                let next = try await Self.load(name, into: store)
                versions.append(next.version)
                catalog.replace(with: next)
            }
            #expect(catalog.current.version == versions[3])
            #expect(catalog.cachedOlderVersions == Array(versions[0..<3].reversed().prefix(RulesCatalog.olderLimit)))
            // An evicted snapshot is read back from the store, and becomes the most recently used.
            let oldest = try #require(try await catalog.rules(version: versions[0]))
            #expect(oldest.rule(named: "r1") != nil)
            #expect(catalog.cachedOlderVersions.first == versions[0])
            #expect(catalog.cachedOlderVersions.count == RulesCatalog.olderLimit)
        }
    }

    @Test func reloadingTheSameFilesKeepsOneCompiledCopy() async throws {
        try await Self.withStore { store in
            let first = try await Self.load("r1", into: store)
            let catalog = RulesCatalog(current: first, store: store, environment: [:])
            catalog.replace(with: try await Self.load("r1", into: store))
            #expect(catalog.current.version == first.version)
            #expect(catalog.cachedOlderVersions.isEmpty)
            // An edit undone: the new current version leaves the older cache.
            let second = try await Self.load("r2", into: store)
            catalog.replace(with: second)
            catalog.replace(with: try await Self.load("r1", into: store))
            #expect(catalog.current.version == first.version)
            #expect(catalog.cachedOlderVersions == [second.version])
        }
    }
}
