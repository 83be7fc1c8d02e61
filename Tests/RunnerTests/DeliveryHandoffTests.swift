import Foundation
import Testing
@testable import Runner

/// With a hand-off, ingest claims the deliveries due at once in its own transaction and hands them,
/// with their events, to the workers, within the workers' free places.
struct DeliveryHandoffTests {
    static let rulesText = """
        version: 1
        sources: [{name: registry, kind: distribution}]
        rules:
          - name: notify
            when: {event: push}
            do: [{shell: {command: [/bin/true]}}]
          - name: rebuild
            when: {event: push}
            debounce: {key: "{{repository}}", window: 30s}
            do: [{shell: {command: [/bin/true]}}]
        """

    struct Setup {
        let store: SQLiteStore
        let ingestor: Ingestor
        let source: Source
        let handoff: DeliveryHandoff
        let directory: URL
    }

    static func setUp(capacity: Int) async throws -> Setup {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-handoff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: dir.appendingPathComponent("h.db").path)
        let file = try #require(RulesLoader(environment: [:]).load(text: rulesText).rules)
        let version = try await store.saveRules(RulesSnapshot(files: [.init(name: "rules.yml", content: Array(rulesText.utf8))]), now: 0)
        let catalog = RulesCatalog(current: LoadedRules(file: file, version: version), store: store)
        let handoff = DeliveryHandoff(capacity: capacity, owner: "me", lease: .seconds(60))
        let ingestor = Ingestor(store: store, catalog: catalog, clock: DebounceTests.FixedClock(millis: 1_000), handoff: handoff)
        return Setup(store: store, ingestor: ingestor, source: try #require(file.source(named: "registry")), handoff: handoff,
                     directory: dir)
    }

    @Test func ingestClaimsDueDeliveriesAndHandsThemOverWithTheirEvents() async throws {
        let setup = try await Self.setUp(capacity: 8)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e1", repository: "shop/web", tag: "1"), source: setup.source)

        let handed = setup.handoff.takeReady()
        #expect(handed.map(\.delivery.rule) == ["notify"])
        #expect(handed.first?.event.event.id == "e1")
        #expect(setup.handoff.used == 1)
        let stored = try await setup.store.deliveries(DeliveryQuery())
        let notify = try #require(stored.first { $0.rule == "notify" })
        #expect(notify.state == .running)
        #expect(notify.leaseOwner == "me")
        #expect(notify.leaseUntil == 61_000)
        // The debounced delivery waits for its window, pending, as before.
        #expect(stored.first { $0.rule == "rebuild" }?.state == .pending)
        // A claim finds nothing more to take now.
        #expect(try await setup.store.claim(now: 1_000, limit: 10, lease: .seconds(60), owner: "other").isEmpty)
    }

    @Test func deliveriesBeyondTheFreePlacesStayPendingForTheClaimLoop() async throws {
        let setup = try await Self.setUp(capacity: 1)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e1", repository: "shop/web", tag: "1"), source: setup.source)
        // e1's `notify` went to the one place; its debounced `rebuild` waits: the claim loop is told.
        #expect(setup.handoff.takePendingNote())
        #expect(!setup.handoff.takePendingNote())
        _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e2", repository: "shop/api", tag: "1"), source: setup.source)
        #expect(setup.handoff.takePendingNote())

        #expect(setup.handoff.takeReady().map(\.event.event.id) == ["e1"])
        let claimed = try await setup.store.claim(now: 1_000, limit: 10, lease: .seconds(60), owner: "other")
        #expect(claimed.map(\.eventID) == ["e2"])
        let events = try await setup.store.events(ids: ["e1", "e2", "missing"])
        #expect(Set(events.keys) == ["e1", "e2"])
    }

    @Test func aRuleTakesAtMostHalfThePlacesAtIngest() async throws {
        let setup = try await Self.setUp(capacity: 4)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        #expect(setup.handoff.perRule == 2)
        for index in 1...3 {
            _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e\(index)", repository: "shop/web", tag: "\(index)"),
                                                source: setup.source)
        }
        // `notify` holds its two places; its third delivery waits, pending, though two places are free.
        let handed = setup.handoff.takeReady()
        #expect(handed.map(\.event.event.id) == ["e1", "e2"])
        #expect(setup.handoff.used == 2)
        #expect(setup.handoff.fullRules == ["notify"])
        #expect(setup.handoff.claimLimit(total: 2).fullRules == ["notify"])
        // Deliveries left pending ask for a claim unless all their rules are full: a claim could take none.
        _ = setup.handoff.takePendingNote()
        setup.handoff.notePending(rules: ["notify"])
        #expect(!setup.handoff.takePendingNote())
        setup.handoff.notePending(rules: ["notify", "rebuild"])
        #expect(setup.handoff.takePendingNote())
        let stored = try await setup.store.deliveries(DeliveryQuery())
        #expect(stored.first { $0.rule == "notify" && $0.eventID == "e3" }?.state == .pending)
        // A full rule asks for a claim once it is down by `refill` places (1 here), and only then.
        #expect(setup.handoff.refill == 1)
        #expect(setup.handoff.release(rules: ["notify"]))
        #expect(setup.handoff.claimLimit(total: 2).fullRules.isEmpty)
        #expect(!setup.handoff.release(rules: ["notify"]))
        #expect(setup.handoff.used == 0)
    }

    @Test func aDuplicateEventGivesItsPlaceBack() async throws {
        let setup = try await Self.setUp(capacity: 8)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        _ = try await setup.ingestor.ingest(DebounceTests.push(id: "e1", repository: "shop/web", tag: "1"), source: setup.source)
        _ = setup.handoff.takePendingNote()
        let response = try await setup.ingestor.ingest(DebounceTests.push(id: "e1", repository: "shop/web", tag: "1"), source: setup.source)
        // A repeated event stores nothing, so there is nothing new for the claim loop.
        #expect(!setup.handoff.takePendingNote())

        guard case .duplicate = response else { Issue.record("expected a duplicate, got \(response)"); return }
        #expect(setup.handoff.takeReady().count == 1)
        #expect(setup.handoff.used == 1)
    }
}
