import Testing
@testable import Runner

/// A target's places: work beyond the limit waits as data, in order, and the place a finished work
/// gives back goes straight to the next one waiting.
struct TargetQueuesTests {
    @Test func workBeyondTheLimitWaitsAndTakesOverPlacesInArrivalOrder() {
        var queues = TargetQueues<String>()
        #expect(queues.enter("host-a", limit: 2, "a1") == .run)
        #expect(queues.enter("host-a", limit: 2, "a2") == .run)
        #expect(queues.enter("host-a", limit: 2, "a3") == .queued)
        #expect(queues.enter("host-a", limit: 2, "a4") == .queued)
        // Another target is not held up by a full one.
        #expect(queues.enter("host-b", limit: 2, "b1") == .run)
        #expect(queues.holders("host-a") == 2)
        #expect(queues.queued("host-a") == 2)

        #expect(queues.leave("host-a") == "a3")
        #expect(queues.holders("host-a") == 2)
        #expect(queues.leave("host-a") == "a4")
        #expect(queues.leave("host-a") == nil)
        #expect(queues.leave("host-a") == nil)
        #expect(queues.holders("host-a") == 0)
        #expect(queues.leave("host-b") == nil)
        #expect(queues.enter("host-a", limit: 2, "a5") == .run)
    }

    @Test func aLimitBelowOneStillLetsOneRun() {
        var queues = TargetQueues<Int>()
        #expect(queues.enter("script", limit: 0, 1) == .run)
        #expect(queues.enter("script", limit: 0, 2) == .queued)
    }

    @Test func closingHandsBackTheWaitingWorkAndRefusesMore() {
        var queues = TargetQueues<String>()
        #expect(queues.enter("host", limit: 1, "running") == .run)
        #expect(queues.enter("host", limit: 1, "w1") == .queued)
        #expect(queues.enter("other", limit: 1, "o1") == .run)
        #expect(queues.enter("other", limit: 1, "w2") == .queued)
        #expect(queues.close().sorted() == ["w1", "w2"])
        #expect(queues.enter("host", limit: 1, "late") == .refused)
        #expect(queues.enter("free", limit: 1, "late") == .refused)
        // The work running at the close finishes and gives its place back; nothing takes it over.
        #expect(queues.leave("host") == nil)
        #expect(queues.holders("host") == 0)
    }
}
