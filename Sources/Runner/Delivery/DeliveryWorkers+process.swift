/// One delivery attempt: resolve its snapshot, run the plugin, record the outcome, follow the chain.
import Logging
import Metrics

extension DeliveryWorkers {
    /// A claimed delivery resolved against its rules snapshot, ready to run once its target has a place.
    struct Prepared: Sendable {
        let step: ActionStep
        let plugin: AnyActionPlugin
        let context: DeliveryContext
        let defaults: Defaults
        /// Its target (`ActionPlugin.concurrencyKey`).
        let key: String

        var delivery: Delivery { context.delivery }
    }

    /// Works one claimed delivery, which holds a place: resolves it, then runs it if its target has a
    /// free place, else leaves it queued as a value (see `TargetQueues`) for the task that frees one.
    func deliver(_ delivery: Delivery, event: StoredEvent?) async {
        let prepared: Prepared
        switch await prepare(delivery, event: event) {
        case let .failed(outcome, rule, defaults):
            await finish(delivery, startedAt: clock.now(), outcome: outcome, rule: rule, defaults: defaults)
            await placeFreed(of: delivery.rule)
            return
        case .interrupted:
            // Nothing was tried: no attempt to record. The shutdown's `releaseAll` makes it pending again.
            await placeFreed(of: delivery.rule)
            return
        case let .ready(ready):
            prepared = ready
        }
        let limit = prepared.plugin.concurrencyLimit(prepared.step.config) ?? prepared.defaults.concurrency
        switch targets.withLock({ $0.enter(prepared.key, limit: limit, prepared) }) {
        case .queued:
            return
        case .refused:
            await placeFreed(of: delivery.rule)
        case .run:
            await runInTurn(prepared)
        }
    }

    /// Runs the delivery, then each delivery that waited for the same target, one after another. The
    /// target's place passes to the next one as soon as an attempt is over; each attempt is recorded
    /// in a child task while the next one runs. However long a delivery waits or runs, its lease is
    /// renewed while this server lives (`renewLeases`), so nobody takes it back meanwhile.
    private func runInTurn(_ first: Prepared) async {
        await withDiscardingTaskGroup { records in
            var next: Prepared? = first
            while let current = next {
                let started = clock.now()
                let outcome = await current.plugin.run(current.step.config, context: current.context)
                next = targets.withLock { $0.leave(current.key) }
                records.addTask {
                    await self.finish(current.delivery, startedAt: started, outcome: outcome, rule: current.context.rule,
                                      defaults: current.defaults)
                    await self.placeFreed(of: current.delivery.rule)
                }
            }
        }
    }

    /// Gives a delivery's place back and wakes the loop to fill it; to claim, when its rule had held
    /// its whole share of places and so was left out of claims.
    private func placeFreed(of rule: String) async {
        if handoff.release(rules: [rule]) { claimWanted.store(true, ordering: .relaxed) }
        await doorbell.ring()
    }

    /// What a claimed delivery resolves to.
    private enum Preparation {
        /// Ready to run.
        case ready(Prepared)
        /// Cannot run: a failure (or a retry, when its event cannot be read) that the history explains.
        case failed(AttemptOutcome, Rule?, Defaults)
        /// The workers are stopping and cancelled the work of resolving it.
        case interrupted
    }

    /// Resolves the delivery's rule, step, plugin, event and target.
    private func prepare(_ delivery: Delivery, event: StoredEvent?) async -> Preparation {
        let loaded: LoadedRules?
        do {
            loaded = try await catalog.rules(version: delivery.rulesVersion)
        } catch is CancellationError {
            return .interrupted
        } catch {
            // A store that cannot be read now, or a secret file that is gone: both can come back, so the
            // delivery is retried under the current defaults' policy rather than failed for good.
            let reason = (error as? RulesError)?.diagnostics.first.map { "\($0)" } ?? "\(error)"
            return .failed(AttemptOutcome(.retry(after: nil), status: "rules snapshot \(delivery.rulesVersion) cannot be loaded: \(reason)"),
                           nil, catalog.current.file.defaults)
        }
        guard let rules = loaded else {
            return .failed(AttemptOutcome(.failure, status: "rules snapshot \(delivery.rulesVersion) is not in the store"), nil,
                           catalog.current.file.defaults)
        }
        guard let rule = rules.rule(named: delivery.rule), delivery.step < rule.actions.count else {
            return .failed(AttemptOutcome(.failure, status: "rule '\(delivery.rule)' step \(delivery.step) is not in its snapshot"), nil, rules.file.defaults)
        }
        let step = rule.actions[delivery.step]
        guard let plugin = plugins.plugin(for: step.type) else {
            return .failed(AttemptOutcome(.failure, status: "no plugin runs '\(step.type)' actions yet"), rule, rules.file.defaults)
        }
        guard let event = await Self.event(event, of: delivery, in: store) else {
            return .failed(AttemptOutcome(.retry(after: nil), status: "event \(delivery.eventID) cannot be read"), rule, rules.file.defaults)
        }
        let timeout = step.config.timeout ?? rule.timeout ?? rules.file.defaults.timeout
        let context = DeliveryContext(delivery: delivery, event: event, rule: rule, timeout: timeout)
        return .ready(Prepared(step: step, plugin: plugin, context: context, defaults: rules.file.defaults,
                               key: plugin.concurrencyKey(step.config, context: context)))
    }

    /// Records an attempt's outcome, counts it, and follows the chain and the rule's run of failures.
    private func finish(_ delivery: Delivery, startedAt started: Int64, outcome: AttemptOutcome, rule: Rule?, defaults: Defaults) async {
        let transition = RetrySchedule(policy: rule?.retry ?? defaults.retry)
            .transition(for: delivery, outcome: outcome, rule: rule, now: clock.now(), unit: Double.random(in: 0...1))
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
        // A chain's next step is due now, a retry later: either way the loop looks at the store again.
        if !transition.enqueue.isEmpty || transition.state == .pending { wake() }
        if let rule, let failureRun {
            await pauseIfFailing(rule: rule, state: transition.state, run: failureRun, lastStatus: outcome.status)
        }
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
