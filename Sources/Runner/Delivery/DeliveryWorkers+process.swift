/// One delivery attempt: resolve its snapshot, run the plugin, record the outcome, follow the chain.
import Logging
import Metrics

extension DeliveryWorkers {
    /// Makes one attempt of a claimed delivery and records it; `event` saves reading it when the claim had it.
    func process(_ delivery: Delivery, event: StoredEvent? = nil) async {
        let started = clock.now()
        guard case let (outcome, rule, defaults)? = await attempt(delivery, event: event) else { return }
        let policy = rule?.retry ?? defaults.retry
        let transition: Transition
        if let rule {
            transition = RetrySchedule(policy: policy).transition(for: delivery, outcome: outcome, rule: rule, now: clock.now(),
                                                                  unit: Double.random(in: 0...1))
        } else {
            transition = Transition(state: .failed)
        }
        let attempt = Attempt(deliveryID: delivery.id, number: delivery.attempts + 1, startedAt: started,
                              durationMillis: outcome.duration.milliseconds, status: outcome.status,
                              verdict: Self.verdictName(outcome.verdict), excerpt: outcome.excerpt, output: outcome.output)
        let failureRun: Int?
        do {
            // One write records the attempt and, for a final state, the rule's run of failures.
            failureRun = try await store.record(attempt, delivery: delivery, transition: transition, now: clock.now(),
                                                notingOutcomeOf: rule?.name)
        } catch {
            // The lease runs out and the delivery is tried again: at least once, never lost.
            logger.error("recording an attempt failed", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
            return
        }
        let outcomeLabel = transition.state == .pending ? "retry" : transition.state.rawValue
        MetricsCache.counter("harbinger_deliveries_total", [("rule", delivery.rule), ("action", delivery.actionType), ("outcome", outcomeLabel)])
            .increment()
        MetricsCache.secondsTimer("harbinger_attempt_duration_seconds", [("action", delivery.actionType)])
            .recordMilliseconds(outcome.duration.milliseconds)
        logger.info("delivery attempt", metadata: [
            "delivery": "\(delivery.id)", "event": "\(delivery.eventID)", "rule": "\(delivery.rule)", "action": "\(delivery.actionType)",
            "attempt": "\(attempt.number)", "status": "\(outcome.status)", "state": "\(transition.state.rawValue)",
        ])
        if !transition.enqueue.isEmpty { wake() }
        if let rule, let failureRun {
            await pauseIfFailing(rule: rule, state: transition.state, run: failureRun, lastStatus: outcome.status)
        }
    }

    /// Runs the attempt; problems before the plugin runs are failures that the history explains.
    /// Nil when the delivery waited for its target through half its lease: it is left to be taken back.
    private func attempt(_ delivery: Delivery, event: StoredEvent?) async -> (AttemptOutcome, Rule?, Defaults)? {
        let current = catalog.current
        guard let rules = try? await catalog.rules(version: delivery.rulesVersion) else {
            return (AttemptOutcome(.failure, status: "rules snapshot \(delivery.rulesVersion) cannot be loaded"), nil, current.file.defaults)
        }
        guard let rule = rules.rule(named: delivery.rule), delivery.step < rule.actions.count else {
            return (AttemptOutcome(.failure, status: "rule '\(delivery.rule)' step \(delivery.step) is not in its snapshot"), nil, rules.file.defaults)
        }
        let step = rule.actions[delivery.step]
        guard let plugin = plugins.plugin(for: step.type) else {
            return (AttemptOutcome(.failure, status: "no plugin runs '\(step.type)' actions yet"), rule, rules.file.defaults)
        }
        guard let event = await Self.event(event, of: delivery, in: store) else {
            return (AttemptOutcome(.retry(after: nil), status: "event \(delivery.eventID) cannot be read"), rule, rules.file.defaults)
        }
        let timeout = step.config.timeout ?? rule.timeout ?? rules.file.defaults.timeout
        let context = DeliveryContext(delivery: delivery, event: event, rule: rule, timeout: timeout)
        let key = plugin.concurrencyKey(step.config, context: context)
        let limit = plugin.concurrencyLimit(step.config) ?? rules.file.defaults.concurrency
        await limiter.acquire(key, limit: limit)
        // A delivery that waited for its target through half its lease is left to be taken back rather
        // than started late, so an attempt does not outlive its lease only because it queued.
        if let leaseUntil = delivery.leaseUntil, clock.now() > leaseUntil - settings.lease.milliseconds / 2 {
            await limiter.release(key)
            logger.warning("a delivery waited for its target through half its lease; it runs again when the lease expires",
                           metadata: ["delivery": "\(delivery.id)", "rule": "\(delivery.rule)"])
            return nil
        }
        let outcome = await plugin.run(step.config, context: context)
        await limiter.release(key)
        return (outcome, rule, rules.file.defaults)
    }

    /// The event handed over with the claim, else read from the store.
    private static func event(_ given: StoredEvent?, of delivery: Delivery, in store: any DeliveryStore) async -> StoredEvent? {
        if let given { return given }
        return try? await store.event(id: delivery.eventID)
    }

    /// Pauses a rule whose run of final failures (`run`, as recorded) reached its `disable_after`.
    private func pauseIfFailing(rule: Rule, state: Delivery.State, run: Int, lastStatus: String) async {
        let failed = state == .failed || state == .dead
        if failed, let limit = rule.disableAfter, run >= limit {
            let reason = "paused after \(run) failed deliveries in a row; last: \(lastStatus)"
            try? await store.setPaused(rule: rule.name, paused: true, reason: reason, now: clock.now())
            try? await catalog.refreshPaused()
            Counter(label: "harbinger_rules_paused_total", dimensions: [("rule", rule.name)]).increment()
            logger.warning("rule paused", metadata: ["rule": "\(rule.name)", "reason": "\(reason)"])
        }
    }

    static func verdictName(_ verdict: AttemptOutcome.Verdict) -> String {
        switch verdict {
        case .success: "success"
        case .retry: "retry"
        case .failure: "failure"
        }
    }
}
