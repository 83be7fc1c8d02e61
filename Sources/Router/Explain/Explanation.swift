/// What `explain` shows for one event: every rule's verdict and the actions that would run.
public struct Explanation: Sendable {
    /// One rule's verdict.
    public struct Verdict: Sendable, Hashable {
        /// The rule's name.
        public var name: String
        /// Whether the rule matched.
        public var matched: Bool
        /// Why not, when it did not (or why it was not evaluated).
        public var reason: String?
    }

    /// One action that would run.
    public struct Action: Sendable, Hashable {
        /// The rule it belongs to.
        public var rule: String
        /// The action type.
        public var type: String
        /// Its rendered target, secrets masked.
        public var target: String
    }

    /// The event.
    public var event: Event
    /// Every rule in file order.
    public var rules: [Verdict]
    /// The actions of the matched rules, in order.
    public var actions: [Action]
}

extension RuleSet {
    /// Explains how the rules treat `event`; `mask` hides secret values in rendered targets.
    public func explain(_ event: Event, mask: SecretMask = SecretMask()) -> Explanation {
        let matched = Set(route(event))
        var stoppedBy: String?
        var verdicts: [Explanation.Verdict] = []
        var actions: [Explanation.Action] = []
        for (position, rule) in rules.enumerated() {
            if matched.contains(position) {
                verdicts.append(.init(name: rule.name, matched: true, reason: nil))
                for step in rule.actions {
                    actions.append(.init(rule: rule.name, type: step.type, target: mask.apply(step.renderedTarget(for: event))))
                }
                if rule.stop { stoppedBy = rule.name }
                continue
            }
            let reason: String?
            if let stoppedBy {
                reason = "not evaluated: rule '\(stoppedBy)' matched and has stop: true"
            } else if !rule.enabled {
                reason = "the rule is disabled"
            } else {
                reason = rule.when.failure(event) ?? "did not match"
            }
            verdicts.append(.init(name: rule.name, matched: false, reason: reason))
        }
        return Explanation(event: event, rules: verdicts, actions: actions)
    }
}

/// Replaces known secret values with `****` in text shown to people.
public struct SecretMask: Sendable {
    /// The values to hide.
    public var values: [String]

    /// A mask over these values (values shorter than 4 characters are ignored: they would hide too much).
    public init(_ values: some Sequence<String> = []) {
        self.values = values.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    /// The text with every secret value, and any URL password, replaced by `****`.
    public func apply(_ text: String) -> String {
        var out = text
        for value in values { out = out.replacingAll(value, with: "****") }
        return Self.maskUserInfo(out)
    }

    private static func maskUserInfo(_ text: String) -> String {
        guard let scheme = text.firstRange(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "****" + String(text[at...])
    }
}
