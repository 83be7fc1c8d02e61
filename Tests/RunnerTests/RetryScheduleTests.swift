import Testing
@testable import Runner

/// Backoff with full jitter, `dead` after the last attempt, and which step of a chain comes next.
struct RetryScheduleTests {
    /// A rule whose chain is shell, http, callback (for Docker Hub), loaded from text like a real file.
    static let rule: Rule = {
        let text = """
            version: 1
            sources: [{name: hub, kind: dockerhub}]
            rules:
              - name: chain
                when: {event: push}
                retry: {attempts: 3, backoff: 1s, max_backoff: 5s}
                do:
                  - shell: {command: [/bin/true]}
                  - http: {url: "http://127.0.0.1:9/next"}
                  - callback: {}
            """
        let file = RulesLoader(environment: [:]).load(text: text).rules!
        return file.rules[0]
    }()

    static func delivery(step: Int = 0, attempts: Int = 0) -> Delivery {
        var delivery = Delivery(id: "d", eventID: "e", rule: "chain", step: step, actionType: "shell", rulesVersion: 7, now: 0)
        delivery.attempts = attempts
        return delivery
    }

    let schedule = RetrySchedule(policy: RetryPolicy(attempts: 3, backoff: .seconds(1), maxBackoff: .seconds(5)))

    @Test func theDelayIsAFullJitterOverADoublingCeilingUpToTheMaximum() {
        // Ceilings 1 s, 2 s, 4 s, then the 5 s maximum; the random unit picks a point between 0 and the ceiling.
        #expect(schedule.delay(afterAttempt: 1, retryAfter: nil, unit: 1) == .seconds(1))
        #expect(schedule.delay(afterAttempt: 2, retryAfter: nil, unit: 1) == .seconds(2))
        #expect(schedule.delay(afterAttempt: 3, retryAfter: nil, unit: 1) == .seconds(4))
        #expect(schedule.delay(afterAttempt: 4, retryAfter: nil, unit: 1) == .seconds(5))
        #expect(schedule.delay(afterAttempt: 60, retryAfter: nil, unit: 1) == .seconds(5))
        #expect(schedule.delay(afterAttempt: 3, retryAfter: nil, unit: 0.5) == .seconds(2))
        #expect(schedule.delay(afterAttempt: 3, retryAfter: nil, unit: 0) == .zero)
        // A sender's Retry-After wins over the backoff, within the maximum.
        #expect(schedule.delay(afterAttempt: 1, retryAfter: .seconds(3), unit: 0) == .seconds(3))
        #expect(schedule.delay(afterAttempt: 1, retryAfter: .seconds(60), unit: 0) == .seconds(5))
    }

    @Test func aRetryableFailureIsPendingUntilTheLastAttemptThenDead() {
        let retry = AttemptOutcome(.retry(after: nil), status: "HTTP 503")
        let first = schedule.transition(for: Self.delivery(attempts: 0), outcome: retry, rule: Self.rule, now: 10_000, unit: 1)
        #expect(first.state == .pending)
        #expect(first.nextAttemptAt == 11_000)
        #expect(first.enqueue.isEmpty)
        let second = schedule.transition(for: Self.delivery(attempts: 1), outcome: retry, rule: Self.rule, now: 10_000, unit: 1)
        #expect(second.state == .pending)
        #expect(second.nextAttemptAt == 12_000)
        // The third attempt of three: dead, and the chain skips to its callback, which reports the failure.
        let last = schedule.transition(for: Self.delivery(attempts: 2), outcome: retry, rule: Self.rule, now: 10_000, unit: 1)
        #expect(last.state == .dead)
        #expect(last.nextAttemptAt == nil)
        #expect(last.enqueue.map(\.step) == [2])
        #expect(last.enqueue.first?.chainFailed == true)
        #expect(last.enqueue.first?.actionType == "callback")
        #expect(last.enqueue.first?.rulesVersion == 7)
    }

    @Test func aSuccessEnqueuesTheNextStepAndAFailureOnlyTheCallback() {
        let success = schedule.transition(for: Self.delivery(step: 0), outcome: AttemptOutcome(.success, status: "exit 0"),
                                          rule: Self.rule, now: 5_000, unit: 0.3)
        #expect(success.state == .succeeded)
        #expect(success.enqueue.map(\.step) == [1])
        #expect(success.enqueue.first?.actionType == "http")
        #expect(success.enqueue.first?.chainFailed == false)
        #expect(success.enqueue.first?.nextAttemptAt == 5_000)

        let failure = schedule.transition(for: Self.delivery(step: 0), outcome: AttemptOutcome(.failure, status: "exit 1"),
                                          rule: Self.rule, now: 5_000, unit: 0.3)
        #expect(failure.state == .failed)
        #expect(failure.enqueue.map(\.step) == [2])
        #expect(failure.enqueue.first?.chainFailed == true)

        // The callback itself is the last step: after it, nothing.
        let end = schedule.transition(for: Self.delivery(step: 2), outcome: AttemptOutcome(.success, status: "HTTP 200"),
                                      rule: Self.rule, now: 5_000, unit: 0.3)
        #expect(end.state == .succeeded && end.enqueue.isEmpty)
    }
}
