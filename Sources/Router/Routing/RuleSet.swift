/// The routing decision: which rules an event matches, in file order, honouring `stop`.
public struct RuleSet: Sendable {
    /// The rules, in file order.
    public let rules: [Rule]
    private let index: RuleIndex

    /// Compiles the index once; routing then reads it only.
    public init(_ rules: [Rule]) {
        self.rules = rules
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
        // Through the buffer, each candidate's fields are read in place: no rule is copied (or retained).
        rules.withUnsafeBufferPointer { rules in
            index.forEachCandidate(of: event) { position in
                guard rules[position].enabled, paused.isEmpty || !paused.contains(rules[position].name),
                      rules[position].when.matches(event) else {
                    return true
                }
                matched.append(position)
                return !rules[position].stop
            }
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
