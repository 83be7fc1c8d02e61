import Foundation
import Testing
@testable import Runner

/// `debounce: {key, window}` collapses a burst of events with the same key into one delivery of the latest.
struct DebounceTests {
    struct FixedClock: WallClock {
        let millis: Int64
        func now() -> Int64 { millis }
    }

    static let rulesText = """
        version: 1
        sources: [{name: registry, kind: distribution}]
        rules:
          - name: rebuild
            when: {event: push}
            debounce: {key: "{{repository}}", window: 30s}
            do: [{shell: {command: [/bin/true]}}]
        """

    static func push(id: String, repository: String, tag: String) -> Payload {
        let body = #"{"events": [{"id": "\#(id)", "timestamp": "2026-11-22T10:00:00Z", "action": "push", "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:\#(String(repeating: "a", count: 64))", "size": 1, "repository": "\#(repository)", "tag": "\#(tag)"}, "request": {"host": "registry.example.com"}}]}"#
        return Payload(body: Array(body.utf8), headers: [("Content-Type", "application/json")])
    }

    @Test func aBurstWithTheSameKeyBecomesOneDeliveryOfTheLatestEvent() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-debounce-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("h.db").path)
        let file = try #require(RulesLoader(environment: [:]).load(text: Self.rulesText).rules)
        let version = try await store.saveRules(RulesSnapshot(files: [.init(name: "rules.yml", content: Array(Self.rulesText.utf8))]), now: 0)
        let catalog = RulesCatalog(current: LoadedRules(file: file, version: version), store: store)
        let ingestor = Ingestor(store: store, catalog: catalog, clock: FixedClock(millis: 1_000))
        let source = try #require(file.source(named: "registry"))

        _ = try await ingestor.ingest(Self.push(id: "e1", repository: "shop/web", tag: "1"), source: source)
        _ = try await ingestor.ingest(Self.push(id: "e2", repository: "shop/web", tag: "2"), source: source)
        _ = try await ingestor.ingest(Self.push(id: "e3", repository: "shop/api", tag: "1"), source: source)
        _ = try await ingestor.ingest(Self.push(id: "e4", repository: "shop/web", tag: "3"), source: source)

        let deliveries = try await store.deliveries(DeliveryQuery())
        #expect(deliveries.count == 2)
        let web = try #require(deliveries.first { $0.debounceKey?.hasSuffix("shop/web") == true })
        #expect(web.eventID == "e4")
        #expect(web.nextAttemptAt == 31_000)
        #expect(deliveries.contains { $0.eventID == "e3" })
        // Nothing is due before the window ends.
        #expect(try await store.claim(now: 30_999, limit: 10, lease: .seconds(60), owner: "t").isEmpty)
        #expect(try await store.claim(now: 31_000, limit: 10, lease: .seconds(60), owner: "t").count == 2)
        // Once a delivery has started, a new event starts a new one.
        _ = try await ingestor.ingest(Self.push(id: "e5", repository: "shop/web", tag: "4"), source: source)
        #expect(try await store.deliveries(DeliveryQuery()).count == 3)
    }
}
