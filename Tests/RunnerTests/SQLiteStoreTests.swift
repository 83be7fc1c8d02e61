import Foundation
import GRDB
import Testing

@testable import Runner

/// A store on a fresh file in its own temporary directory, removed when the test ends.
private func withStore(_ body: (SQLiteStore, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("harbinger.db").path
    let store = try SQLiteStore(path: path)
    try await body(store, path)
    try? store.close()
}

private func event(_ id: String, repository: String = "shop/web", tag: String? = "1.0") -> StoredEvent {
    let event = Event(id: id, source: .harbor, sourceName: "harbor", type: .push, registry: "harbor.example.com",
                      repository: repository, tag: tag, digest: "sha256:abc")
    return StoredEvent(event: event, payload: Array("{\"id\":\"\(id)\"}".utf8), contentType: "application/json",
                       receivedAt: 1_000)
}

private func delivery(_ id: String, event: String, rule: String = "deploy", step: Int = 0, now: Int64 = 1_000)
    -> Delivery
{
    Delivery(id: id, eventID: event, rule: rule, step: step, actionType: "http", rulesVersion: 1, now: now)
}

private func batch(_ eventID: String, deliveries ids: [String], rule: String = "deploy", now: Int64 = 1_000)
    -> IngestBatch
{
    IngestBatch(events: [event(eventID)], deliveries: ids.map { delivery($0, event: eventID, rule: rule, now: now) })
}

private func attempt(_ delivery: Delivery, number: Int = 1, status: String = "HTTP 200", verdict: String = "success")
    -> Attempt
{
    Attempt(deliveryID: delivery.id, number: number, startedAt: 2_000, durationMillis: 12, status: status,
            verdict: verdict, excerpt: "ok")
}

@Suite struct SQLiteStoreTests {
    @Test func everyConnectionKeepsASmallPageCache() async throws {
        try await withStore { store, _ in
            let expected = -SQLiteStore.cacheKiB
            let writer = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
            let reader = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
            #expect(writer == expected && reader == expected)
        }
    }

    @Test func ingestStoresEventsAndDeliveries() async throws {
        try await withStore { store, _ in
            let results = try await store.ingest([batch("e1", deliveries: ["d1", "d2"])])
            #expect(results == [IngestResult(accepted: ["e1"], duplicates: [])])
            let stored = try #require(try await store.event(id: "e1"))
            #expect(stored.event == event("e1").event)
            #expect(stored.payload == Array("{\"id\":\"e1\"}".utf8))
            #expect(stored.contentType == "application/json")
            #expect(stored.receivedAt == 1_000)
            #expect(try await store.deliveries(DeliveryQuery()).map(\.id).sorted() == ["d1", "d2"])
            #expect(try await store.queueDepth() == 2)
        }
    }

    @Test func eventRoundTripsEveryCanonicalField() async throws {
        try await withStore { store, _ in
            var full = Event(id: "full", source: .dockerhub, sourceName: "hub", type: .scanCompleted,
                             registry: "docker.io", repository: "library/nginx", tag: nil, digest: "sha256:d",
                             mediaType: "application/vnd.oci.image.manifest.v1+json", artifact: .image,
                             size: 31_457_280, actor: "ci \"bot\"\n", occurredAt: "2026-11-22T10:00:00Z",
                             scan: Scan(severity: .high, counts: [.critical: 0, .high: 3, .low: 1], fixable: 4,
                                        scanner: "Trivy"),
                             callbackURL: "https://hub.example/cb")
            full.namespace = nil
            let stored = StoredEvent(event: full, payload: [0, 255, 10], contentType: nil, receivedAt: 7)
            _ = try await store.ingest([IngestBatch(events: [stored], deliveries: [])])
            let read = try #require(try await store.event(id: "full"))
            #expect(read.event == full)
            #expect(read.payload == [0, 255, 10])
            #expect(read.contentType == nil)
        }
    }

    @Test func anEventStoredAgainInALaterCallIsADuplicateWithoutNewDeliveries() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            let again = try await store.ingest([batch("e1", deliveries: ["d2"])])
            #expect(again == [IngestResult(accepted: [], duplicates: ["e1"])])
            #expect(try await store.deliveries(DeliveryQuery()).map(\.id) == ["d1"])
        }
    }

    @Test func anEventRepeatedWithinOneGroupIsStoredOnce() async throws {
        try await withStore { store, _ in
            let results = try await store.ingest([batch("e1", deliveries: ["d1"]), batch("e1", deliveries: ["d2"]),
                                                  batch("e2", deliveries: ["d3"])])
            #expect(results == [IngestResult(accepted: ["e1"], duplicates: []),
                                IngestResult(accepted: [], duplicates: ["e1"]),
                                IngestResult(accepted: ["e2"], duplicates: [])])
            #expect(try await store.deliveries(DeliveryQuery()).map(\.id).sorted() == ["d1", "d3"])
        }
    }

    @Test func aFailingRequestDoesNotTakeDownTheOthersInItsGroup() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            // d1 clashes: this request fails as a whole, and nothing of it is stored.
            await #expect(throws: (any Error).self) {
                try await store.ingest([batch("e2", deliveries: ["d2"]), batch("e3", deliveries: ["d1"])])
            }
            #expect(try await store.event(id: "e2") == nil)
            #expect(try await store.ingest([batch("e2", deliveries: ["d2"])]) == [IngestResult(accepted: ["e2"], duplicates: [])])
        }
    }

    @Test func aFullDatabaseRefusesAnIngestWholeAndTakesItOnceThereIsRoom() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            // The file may not grow past its current size: SQLite answers SQLITE_FULL, as on a full disk.
            let pages = try await store.pool.write { db in
                try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            }
            _ = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }
            let big = IngestBatch(events: (0..<200).map { event("full-\($0)") },
                                  deliveries: (0..<200).map { delivery("full-d\($0)", event: "full-\($0)") })
            await #expect(throws: DatabaseError.self) { try await store.ingest([big]) }
            #expect(try await store.event(id: "full-0") == nil)
            #expect(try await store.deliveries(DeliveryQuery(limit: 1_000)).map(\.id) == ["d1"])

            _ = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1000000") }
            #expect(try await store.ingest([big]) == [IngestResult(accepted: (0..<200).map { "full-\($0)" }, duplicates: [])])
            #expect(try await store.deliveries(DeliveryQuery(limit: 1_000)).count == 201)
        }
    }

    @Test func concurrentIngestsShareTransactions() async throws {
        try await withStore { store, _ in
            let callers = 200
            let results = try await withThrowingTaskGroup(of: (Int, [IngestResult]).self) { group in
                for index in 0..<callers {
                    group.addTask {
                        (index, try await store.ingest([batch("e\(index)", deliveries: ["d\(index)"])]))
                    }
                }
                var results: [Int: [IngestResult]] = [:]
                for try await (index, result) in group { results[index] = result }
                return results
            }
            #expect(results.count == callers)
            for index in 0..<callers {
                #expect(results[index] == [IngestResult(accepted: ["e\(index)"], duplicates: [])])
            }
            let groups = await store.writer.committedGroups
            #expect(groups >= 1)
            #expect(groups < callers)
            #expect(try await store.queueDepth() == callers)
        }
    }

    @Test func claimTakesOnlyDueDeliveriesInDueOrderUpToTheLimit() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["late"], now: 5_000),
                                        batch("e2", deliveries: ["early"], now: 1_000),
                                        batch("e3", deliveries: ["middle"], now: 2_000)])
            #expect(try await store.nextDue() == 1_000)
            #expect(try await store.claim(now: 500, limit: 10, lease: .seconds(30), owner: "w").isEmpty)
            let first = try await store.claim(now: 3_000, limit: 1, lease: .seconds(30), owner: "w")
            #expect(first.map(\.id) == ["early"])
            #expect(first.first?.state == .running)
            #expect(first.first?.leaseOwner == "w")
            #expect(first.first?.leaseUntil == 33_000)
            #expect(try await store.claim(now: 3_000, limit: 10, lease: .seconds(30), owner: "w").map(\.id) == ["middle"])
            #expect(try await store.claim(now: 3_000, limit: 10, lease: .seconds(30), owner: "w").isEmpty)
            #expect(try await store.nextDue() == 5_000)
            #expect(try await store.queueDepth() == 3)
        }
    }

    @Test func claimKeepsEachRuleWithinItsShareOfPlaces() async throws {
        try await withStore { store, _ in
            // A rule with a backlog (its deliveries the oldest due) and a rule with one delivery behind it.
            _ = try await store.ingest([batch("e1", deliveries: ["a1", "a2", "a3", "a4"], rule: "slow", now: 1_000),
                                        batch("e2", deliveries: ["b1"], rule: "fast", now: 2_000)])
            // At most 2 places per rule, and "slow" holds one already: it gets one more; "fast" still gets its turn.
            let limit = ClaimLimit(total: 10, perRule: 2, held: ["slow": 1])
            #expect(limit.fullRules.isEmpty)
            let first = try await store.claim(now: 3_000, limit: limit, lease: .seconds(30), owner: "w")
            #expect(first.map(\.id) == ["a1", "b1"])
            // A full rule is left out of claims and of the next due time.
            let full = ClaimLimit(total: 10, perRule: 2, held: ["slow": 2])
            #expect(full.fullRules == ["slow"])
            #expect(try await store.claim(now: 3_000, limit: full, lease: .seconds(30), owner: "w").isEmpty)
            #expect(try await store.nextDue(skipping: ["slow"]) == nil)
            #expect(try await store.nextDue() == 1_000)
            // With room again it takes the rest in due order.
            let rest = try await store.claim(now: 3_000, limit: ClaimLimit(total: 10, perRule: 4), lease: .seconds(30), owner: "w")
            #expect(rest.map(\.id) == ["a2", "a3", "a4"])
            // No limit in all, one per rule: the window's arithmetic must not overflow.
            #expect(try await store.claim(now: 3_000, limit: ClaimLimit(total: .max, perRule: 1), lease: .seconds(30), owner: "w").isEmpty)
        }
    }

    @Test func claimSkipsPausedRulesUntilTheyResume() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"], rule: "deploy"),
                                        batch("e2", deliveries: ["d2"], rule: "notify")])
            try await store.setPaused(rule: "deploy", paused: true, reason: "maintenance", now: 1_000)
            #expect(try await store.pausedRules() == ["deploy": "maintenance"])
            #expect(try await store.claim(now: 2_000, limit: 10, lease: .seconds(5), owner: "w").map(\.id) == ["d2"])
            #expect(try await store.nextDue() == nil)
            try await store.setPaused(rule: "deploy", paused: false, reason: nil, now: 3_000)
            #expect(try await store.pausedRules().isEmpty)
            #expect(try await store.claim(now: 3_000, limit: 10, lease: .seconds(5), owner: "w").map(\.id) == ["d1"])
        }
    }

    @Test func anExpiredLeaseIsClaimedAgain() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            #expect(try await store.claim(now: 1_000, limit: 1, lease: .seconds(10), owner: "a").count == 1)
            #expect(try await store.claim(now: 11_000, limit: 1, lease: .seconds(10), owner: "b").isEmpty)
            let reclaimed = try await store.claim(now: 11_001, limit: 1, lease: .seconds(10), owner: "b")
            #expect(reclaimed.map(\.id) == ["d1"])
            #expect(reclaimed.first?.leaseOwner == "b")
            #expect(reclaimed.first?.attempts == 0)
        }
    }

    @Test func renewingLeasesMovesOnlyTheOwnersRunningDeliveries() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1", "d2", "d3"])])
            _ = try await store.claim(now: 1_000, limit: 1, lease: .seconds(60), owner: "a")
            _ = try await store.claim(now: 1_000, limit: 1, lease: .seconds(60), owner: "b")
            #expect(try await store.renewLeases(owner: "a", until: 500_000) == 1)
            let running = try await store.deliveries(DeliveryQuery(state: .running))
            #expect(Dictionary(uniqueKeysWithValues: running.map { ($0.leaseOwner ?? "", $0.leaseUntil) }) == ["a": 500_000, "b": 61_000])
            // Past b's lease only b's delivery is taken back, and the pending one stays unleased.
            let taken = try await store.claim(now: 100_000, limit: 10, lease: .seconds(60), owner: "c")
            #expect(taken.map(\.id).sorted() == ["d2", "d3"])
            #expect(try await store.deliveries(DeliveryQuery(state: .running)).filter { $0.leaseOwner == "a" }.count == 1)
        }
    }

    @Test func releaseAllReturnsRunningDeliveriesToPending() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1", "d2"]), batch("e2", deliveries: ["d3"])])
            _ = try await store.claim(now: 1_000, limit: 2, lease: .seconds(60), owner: "a")
            _ = try await store.claim(now: 1_000, limit: 1, lease: .seconds(60), owner: "b")
            #expect(try await store.releaseAll(owner: "a", now: 2_000) == 2)
            #expect(try await store.deliveries(DeliveryQuery(state: .running)).map(\.leaseOwner) == ["b"])
            #expect(try await store.releaseAll(owner: nil, now: 2_000) == 1)
            let pending = try await store.deliveries(DeliveryQuery(state: .pending))
            #expect(pending.count == 3)
            #expect(pending.allSatisfy { $0.leaseOwner == nil && $0.leaseUntil == nil })
        }
    }

    @Test func recordAppliesATransitionAndKeepsTheAttempt() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            let claimed = try #require(try await store.claim(now: 1_000, limit: 1, lease: .seconds(30), owner: "w").first)
            try await store.record(attempt(claimed, status: "HTTP 503", verdict: "retry"), delivery: claimed,
                                   transition: Transition(state: .pending, nextAttemptAt: 9_000), now: 2_000)
            let (retrying, attempts) = try #require(try await store.delivery(id: "d1"))
            #expect(retrying.state == .pending)
            #expect(retrying.attempts == 1)
            #expect(retrying.nextAttemptAt == 9_000)
            #expect(retrying.leaseOwner == nil && retrying.leaseUntil == nil)
            #expect(retrying.lastStatus == "HTTP 503")
            #expect(retrying.lastDurationMillis == 12)
            #expect(retrying.excerpt == "ok")
            #expect(retrying.updatedAt == 2_000)
            #expect(attempts.map(\.status) == ["HTTP 503"])
            #expect(try await store.claim(now: 8_999, limit: 1, lease: .seconds(30), owner: "w").isEmpty)
        }
    }

    @Test func recordEnqueuesTheChainsNextStep() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            let claimed = try #require(try await store.claim(now: 1_000, limit: 1, lease: .seconds(30), owner: "w").first)
            let next = delivery("d1-step1", event: "e1", step: 1, now: 2_000)
            try await store.record(attempt(claimed), delivery: claimed,
                                   transition: Transition(state: .succeeded, enqueue: [next]), now: 2_000)
            let (done, attempts) = try #require(try await store.delivery(id: "d1"))
            #expect(done.state == .succeeded)
            #expect(done.nextAttemptAt == 1_000)
            #expect(attempts == [attempt(claimed)])
            let step = try await store.claim(now: 2_000, limit: 10, lease: .seconds(30), owner: "w")
            #expect(step.map(\.id) == ["d1-step1"])
            #expect(step.first?.step == 1)
            #expect(try await store.queueDepth() == 1)
        }
    }

    @Test func attemptsAreListedInOrder() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            for number in 1...3 {
                let claimed = try #require(try await store.claim(now: 10_000, limit: 1, lease: .seconds(1), owner: "w").first)
                let last = number == 3
                try await store.record(attempt(claimed, number: number, status: last ? "HTTP 200" : "HTTP 500"),
                                       delivery: claimed,
                                       transition: Transition(state: last ? .succeeded : .pending, nextAttemptAt: 0),
                                       now: 10_000)
            }
            let (done, attempts) = try #require(try await store.delivery(id: "d1"))
            #expect(done.attempts == 3)
            #expect(attempts.map(\.number) == [1, 2, 3])
            #expect(attempts.map(\.status) == ["HTTP 500", "HTTP 500", "HTTP 200"])
        }
    }

    @Test func replayMakesFinishedDeliveriesDueAgain() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["d1"])])
            let claimed = try #require(try await store.claim(now: 1_000, limit: 1, lease: .seconds(30), owner: "w").first)
            try await store.record(attempt(claimed, status: "HTTP 404", verdict: "failure"), delivery: claimed,
                                   transition: Transition(state: .failed), now: 2_000)
            #expect(try await store.queueDepth() == 0)
            #expect(try await store.replay(["d1", "missing"], now: 5_000) == ["d1"])
            let replayed = try #require(try await store.delivery(id: "d1")?.0)
            #expect(replayed.state == .pending)
            #expect(replayed.attempts == 0)
            #expect(replayed.nextAttemptAt == 5_000)
            #expect(try await store.claim(now: 5_000, limit: 1, lease: .seconds(30), owner: "w").map(\.id) == ["d1"])
            // Running again now: a replay leaves it with its lease, so no claim starts it twice.
            #expect(try await store.replay(["d1"], now: 6_000).isEmpty)
            let running = try #require(try await store.delivery(id: "d1")?.0)
            #expect(running.state == .running && running.leaseOwner == "w" && running.leaseUntil == 35_000)
            #expect(try await store.claim(now: 6_000, limit: 1, lease: .seconds(30), owner: "other").isEmpty)
        }
    }

    @Test func listingFiltersByStateRuleAndEventNewestFirst() async throws {
        try await withStore { store, _ in
            _ = try await store.ingest([batch("e1", deliveries: ["a1", "a2"], rule: "deploy", now: 1_000),
                                        batch("e2", deliveries: ["b1"], rule: "notify", now: 2_000),
                                        batch("e3", deliveries: ["a3"], rule: "deploy", now: 3_000)])
            let claimed = try #require(try await store.claim(now: 1_000, limit: 1, lease: .seconds(30), owner: "w").first)
            try await store.record(attempt(claimed), delivery: claimed, transition: Transition(state: .succeeded), now: 1_500)
            #expect(try await store.deliveries(DeliveryQuery()).map(\.id) == ["a3", "b1", "a2", "a1"])
            #expect(try await store.deliveries(DeliveryQuery(rule: "deploy")).map(\.id) == ["a3", "a2", "a1"])
            #expect(try await store.deliveries(DeliveryQuery(state: .succeeded)).map(\.id) == ["a1"])
            #expect(try await store.deliveries(DeliveryQuery(state: .pending, rule: "deploy")).map(\.id) == ["a3", "a2"])
            #expect(try await store.deliveries(DeliveryQuery(eventID: "e1")).map(\.id) == ["a2", "a1"])
            #expect(try await store.deliveries(DeliveryQuery(limit: 2)).map(\.id) == ["a3", "b1"])
            #expect(try await store.deliveries(DeliveryQuery(rule: "nobody")).isEmpty)
            #expect(try await store.delivery(id: "nobody") == nil)
        }
    }

    @Test func pruningRemovesOnlyFinishedHistoryOlderThanTheCutoff() async throws {
        try await withStore { store, _ in
            let snapshot = { (text: String) in RulesSnapshot(files: [.init(name: "rules.yml", content: Array(text.utf8))]) }
            #expect(try await store.saveRules(snapshot("a"), now: 500) == 1)  // the deliveries' version
            let unused = try await store.saveRules(snapshot("b"), now: 500)
            let current = try await store.saveRules(snapshot("c"), now: 500)
            _ = try await store.ingest([batch("e1", deliveries: ["d1"], now: 1_000), batch("e2", deliveries: ["d2"], now: 1_100),
                                        batch("e3", deliveries: ["d3"], now: 1_200), batch("e4", deliveries: ["d4"], now: 1_300),
                                        batch("e5", deliveries: ["d5", "d6"], now: 1_400)])
            let claimed = try await store.claim(now: 1_500, limit: 10, lease: .seconds(30), owner: "w")
            for (id, state, at) in [("d1", Delivery.State.succeeded, Int64(2_000)), ("d2", .failed, 2_000), ("d4", .succeeded, 9_000),
                                    ("d5", .dead, 2_000)] {
                let delivery = try #require(claimed.first { $0.id == id })
                try await store.record(attempt(delivery), delivery: delivery, transition: Transition(state: state), now: at)
            }
            _ = try await store.releaseAll(owner: nil, now: 2_000)  // d3 and d6 pending again

            // Two at a time: d1, d2 and d5 with their attempts, the events they leave unnamed, and the
            // snapshot no delivery names (the current one is kept although nothing names it yet).
            // (In no set order; a full batch leaves the snapshots to the short one that ends the pass.)
            let first = try await store.prune(before: 5_000, keeping: [current], limit: 2, now: 6_000)
            let second = try await store.prune(before: 5_000, keeping: [current], limit: 2, now: 6_000)
            #expect(first.deliveries == 2 && first.snapshots == 0)
            #expect(second.deliveries == 1 && second.snapshots == 1)
            #expect(first.events + second.events == 2)
            #expect(try await store.prune(before: 5_000, keeping: [current], limit: 2, now: 6_000) == PruneResult())

            #expect(try await store.deliveries(DeliveryQuery()).map(\.id).sorted() == ["d3", "d4", "d6"])
            for pruned in ["e1", "e2"] { #expect(try await store.event(id: pruned) == nil) }
            // e5's d5 is gone, but its pending d6 still needs it.
            for kept in ["e3", "e4", "e5"] { #expect(try await store.event(id: kept) != nil) }
            let orphanAttempts = try await store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempts WHERE delivery_id IN ('d1', 'd2', 'd5')")
            }
            #expect(orphanAttempts == 0)
            #expect(try await store.rules(version: 1) != nil)
            #expect(try await store.rules(version: unused) == nil)
            #expect(try await store.rules(version: current) != nil)

            // Saving the same files again marks their snapshot as in use: an old one coming back is kept.
            let returning = try await store.saveRules(snapshot("d"), now: 500)
            #expect(try await store.saveRules(snapshot("d"), now: 9_000) == returning)
            #expect(try await store.prune(before: 5_000, keeping: [], limit: 2, now: 9_500) == PruneResult())
            #expect(try await store.rules(version: returning) != nil)
        }
    }

    @Test func rulesSnapshotsAreVersionedByContent() async throws {
        try await withStore { store, _ in
            let first = RulesSnapshot(files: [.init(name: "rules.yml", content: Array("rules: []\n".utf8))])
            let second = RulesSnapshot(files: [.init(name: "rules.yml", content: [0, 1, 2, 255])])
            let v1 = try await store.saveRules(first, now: 1_000)
            #expect(try await store.saveRules(first, now: 2_000) == v1)
            let v2 = try await store.saveRules(second, now: 3_000)
            #expect(v2 != v1)
            #expect(try await store.saveRules(first, now: 4_000) == v1)
            #expect(try await store.rules(version: v1) == first)
            #expect(try await store.rules(version: v2) == second)
            #expect(try await store.rules(version: v2 + 100) == nil)
        }
    }

    @Test func snapshotHashesDoNotConfuseNameAndContentBoundaries() {
        let a = RulesSnapshot(files: [.init(name: "ab", content: Array("c".utf8))])
        let b = RulesSnapshot(files: [.init(name: "a", content: Array("bc".utf8))])
        #expect(a.sha256 != b.sha256)
        #expect(a.sha256.count == 64)
    }

    @Test func noteOutcomeCountsConsecutiveFailures() async throws {
        try await withStore { (store, _) async throws in
            #expect(try await store.noteOutcome(rule: "deploy", failed: true) == 1)
            #expect(try await store.noteOutcome(rule: "deploy", failed: true) == 2)
            #expect(try await store.noteOutcome(rule: "other", failed: false) == 0)
            #expect(try await store.noteOutcome(rule: "deploy", failed: false) == 0)
            #expect(try await store.noteOutcome(rule: "deploy", failed: true) == 1)
            #expect(try await store.pausedRules().isEmpty)
        }
    }

    @Test func everythingSurvivesClosingAndReopening() async throws {
        try await withStore { store, path in
            let version = try await store.saveRules(RulesSnapshot(files: [.init(name: "r.yml", content: [1])]), now: 1)
            _ = try await store.ingest([batch("e1", deliveries: ["d1", "d2"])])
            let claimed = try #require(try await store.claim(now: 1_000, limit: 1, lease: .seconds(30), owner: "w").first)
            try await store.record(attempt(claimed), delivery: claimed, transition: Transition(state: .succeeded), now: 2_000)
            _ = try await store.claim(now: 1_000, limit: 1, lease: .seconds(30), owner: "w")
            try await store.setPaused(rule: "deploy", paused: true, reason: "why", now: 3_000)
            try store.close()

            let reopened = try SQLiteStore(path: path)
            defer { try? reopened.close() }
            #expect(try await reopened.event(id: "e1")?.event == event("e1").event)
            #expect(try await reopened.rules(version: version) != nil)
            #expect(try await reopened.pausedRules() == ["deploy": "why"])
            #expect(try await reopened.delivery(id: claimed.id)?.1.count == 1)
            // A crash left one delivery running: start-up takes it back.
            #expect(try await reopened.releaseAll(owner: nil, now: 4_000) == 1)
            #expect(try await reopened.queueDepth() == 1)
            #expect(try await reopened.ingest([batch("e1", deliveries: ["d3"])]) == [IngestResult(accepted: [], duplicates: ["e1"])])
        }
    }

    @Test func anEmptyFileIsMigratedToTheCurrentSchema() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("empty.db").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let store = try SQLiteStore(path: path)
        defer { try? store.close() }
        let (applied, tables, journal, synchronous) = try await store.pool.write { db in
            (try SQLiteStore.migrator.appliedIdentifiers(db),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(applied == Set(SQLiteStore.migrator.migrations))
        #expect(Set(tables).isSuperset(of: ["rules", "events", "deliveries", "attempts", "rule_state"]))
        #expect(journal == "wal")
        #expect(synchronous == 2)
        // Opening again finds nothing to migrate.
        let again = try SQLiteStore(path: path)
        try again.close()
    }
}
