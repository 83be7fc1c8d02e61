/// Runs rule unit tests against a rules set, collecting one line per failed expectation.
import Router

struct RuleTestRunner {
    let rules: RulesFile
    let ruleSet: RuleSet

    init(rules: RulesFile) {
        self.rules = rules
        self.ruleSet = RuleSet(rules)
    }

    /// The failures of one case; empty when it passed.
    func failures(of test: RuleTestCase) -> [String] {
        guard let source = rules.source(named: test.source) else {
            return ["source '\(test.source)' is not declared in the rules (sources: \(rules.sources.map(\.name).joined(separator: ", ")))"]
        }
        let events: [Event]
        do {
            events = try SourceDecoders.decode(test.payload, source: source)
        } catch where error.isUnsupported {
            events = []
        } catch {
            return ["the payload does not decode as \(source.kind.rawValue): \(error)"]
        }
        var failures: [String] = []
        if let expected = test.events, expected != events.count {
            failures.append("expected \(expected) event\(expected == 1 ? "" : "s"), the payload holds \(events.count)")
        }
        let mask = SecretMask(rules.sensitiveValues)
        let explanations = events.map { ruleSet.explain($0, mask: mask) }
        let known = Set(rules.rules.map(\.name))
        for name in test.matched + test.notMatched where !known.contains(name) {
            failures.append("no rule is named '\(name)'")
        }
        for name in test.matched where known.contains(name) {
            let verdicts = explanations.compactMap { $0.rules.first { $0.name == name } }
            if !verdicts.contains(where: \.matched) {
                let reasons = verdicts.compactMap(\.reason)
                failures.append("rule '\(name)' did not match" + (reasons.isEmpty ? " (no events)" : ": " + reasons.joined(separator: "; ")))
            }
        }
        for name in test.notMatched where explanations.contains(where: { $0.rules.contains { $0.name == name && $0.matched } }) {
            failures.append("rule '\(name)' matched, but the test expects it not to")
        }
        let actions = explanations.flatMap(\.actions)
        for expected in test.actions {
            let found = actions.contains { action in
                action.rule == expected.rule && (expected.type ?? action.type) == action.type
                    && (expected.target ?? action.target) == action.target
            }
            if !found {
                let actual = actions.filter { $0.rule == expected.rule }.map { "\($0.type) \($0.target)" }
                let wanted = [expected.type, expected.target].compactMap { $0 }.joined(separator: " ")
                failures.append("expected rule '\(expected.rule)' to run \(wanted.isEmpty ? "an action" : wanted); it runs "
                    + (actual.isEmpty ? "nothing" : actual.joined(separator: ", ")))
            }
        }
        return failures
    }
}
