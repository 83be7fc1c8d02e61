/// What happens after an attempt: the next state, when to try again, which step comes next.

/// Decides transitions from an attempt's outcome; pure, so tests can drive it with fixed randomness.
public struct RetrySchedule: Sendable {
    /// The policy in force for the delivery's rule.
    public var policy: RetryPolicy

    /// Creates a schedule for a policy.
    public init(policy: RetryPolicy) {
        self.policy = policy
    }

    /// The delay before attempt `attempt + 1` (after `attempt` failures): full jitter over an exponential
    /// ceiling, `random(0 ... min(max_backoff, backoff * 2^(attempt-1)))`, or the sender's Retry-After capped by max_backoff.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, unit: Double) -> Duration {
        let cap = policy.maxBackoff
        if let retryAfter { return min(retryAfter, cap) }
        let exponent = min(max(attempt - 1, 0), 40)
        let ceiling = min(Double(policy.backoff.milliseconds) * Double(1 << exponent), Double(cap.milliseconds))
        return .milliseconds(Int64(ceiling * min(max(unit, 0), 1)))
    }

    /// The transition for `delivery` after its attempt number `delivery.attempts + 1` ended with `outcome`.
    /// `rule` supplies the chain (none when the delivery's rule could not be resolved: then no step
    /// follows); `unit` is a random number in 0...1 for the jitter.
    public func transition(for delivery: Delivery, outcome: AttemptOutcome, rule: Rule?, now: Int64, unit: Double) -> Transition {
        let attempt = delivery.attempts + 1
        switch outcome.verdict {
        case .success:
            return Transition(state: .succeeded, enqueue: next(after: delivery, rule: rule, failed: false, now: now))
        case .failure:
            return Transition(state: .failed, enqueue: next(after: delivery, rule: rule, failed: true, now: now))
        case .retry(let after):
            guard attempt < policy.attempts else {
                return Transition(state: .dead, enqueue: next(after: delivery, rule: rule, failed: true, now: now))
            }
            let wait = delay(afterAttempt: attempt, retryAfter: after, unit: unit)
            return Transition(state: .pending, nextAttemptAt: now + wait.milliseconds)
        }
    }

    /// The chain's next step: after a success, the next step; after a final failure, only a later
    /// `callback` step (it reports the failure to Docker Hub); otherwise the chain stops.
    func next(after delivery: Delivery, rule: Rule?, failed: Bool, now: Int64) -> [Delivery] {
        guard let rule else { return [] }
        let later = rule.actions.indices.filter { $0 > delivery.step }
        let index = failed
            ? later.first { rule.actions[$0].type == CallbackActionConfig.type }
            : later.first
        guard let index else { return [] }
        return [Delivery(id: DeliveryID.make(), eventID: delivery.eventID, rule: delivery.rule, step: index,
                         actionType: rule.actions[index].type, rulesVersion: delivery.rulesVersion, now: now,
                         chainFailed: failed || delivery.chainFailed)]
    }
}
