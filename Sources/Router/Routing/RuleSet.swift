/// The routing decision: which rules an event matches, in file order, honouring `stop`.
public struct RuleSet: Sendable {
    /// The rules, in file order.
    public let rules: [Rule]
    private let routed: [RoutedRule]
    private let index: RuleIndex

    /// Compiles the index once; routing then reads it only.
    public init(_ rules: [Rule]) {
        self.rules = rules
        self.routed = rules.map(RoutedRule.init)
        self.index = RuleIndex(rules)
    }

    /// Creates the rule set of a loaded rules file.
    public init(_ file: RulesFile) {
        self.init(file.rules)
    }

    /// Indices of the rules the event matches, in file order; evaluation ends after a matching `stop` rule.
    /// Rules in `paused` are treated as disabled.
    public func route(_ event: Event, paused: Set<String> = []) -> [Int] {
        var matched: [Int] = []
        index.forEachCandidate(of: event) { position in
            let rule = routed[position]
            guard rule.enabled, paused.isEmpty || !paused.contains(rule.name), rule.condition.matches(event) else {
                return true
            }
            matched.append(position)
            return !rule.stop
        }
        return matched
    }

    /// The same answer as `route`, by evaluating every rule; the reference the index is tested against.
    public func routeByScanning(_ event: Event) -> [Int] {
        var matched: [Int] = []
        for (position, rule) in rules.enumerated() where rule.enabled && rule.when.matches(event) {
            matched.append(position)
            if rule.stop { break }
        }
        return matched
    }
}

/// A rule as routing needs it, held by reference so walking candidates copies nothing. Its condition
/// is the rule's own `when`, shared, not a copy.
final class RoutedRule: Sendable {
    let name: String
    let enabled: Bool
    let stop: Bool
    let condition: Condition

    init(_ rule: Rule) {
        name = rule.name
        enabled = rule.enabled
        stop = rule.stop
        condition = rule.when
    }
}
