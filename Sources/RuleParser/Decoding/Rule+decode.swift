/// Decoding `rules:` entries, their `do` chains and `defaults:`.
extension NodeDecoder {
    static let ruleKeys = ["name", "description", "enabled", "when", "do", "stop", "retry", "timeout", "debounce", "disable_after"]

    func rule(_ node: Node, index: Int, sourceReferences: inout [(name: String, mark: Mark)]) -> Rule? {
        guard let f = fields(node, Self.ruleLabel(node, index: index), keys: Self.ruleKeys) else { return nil }
        guard let nameNode = required(f, "name"), let name = nonEmptyString(nameNode, "rule name") else { return nil }
        let what = "rule '\(name)'"
        let named = Fields(node: f.node, what: what, entries: f.entries, names: f.names, misspelt: f.misspelt)
        let when = required(named, "when").flatMap { condition($0, "when of \(what)", sourceReferences: &sourceReferences) }
        let actions = required(named, "do").flatMap { steps($0, rule: name) }
        var retry: RetryPolicy?
        if let node = f["retry"] { retry = retryPolicy(node, "retry of \(what)", base: RetryPolicy()) }
        var debounce: Debounce?
        if let node = f["debounce"], let d = fields(node, "debounce of \(what)", keys: ["key", "window"]) {
            let key = required(d, "key").flatMap { template($0, "debounce key of \(what)") }
            let window = required(d, "window").flatMap { duration($0, "debounce window of \(what)") }
            if let key, let window { debounce = Debounce(key: key, window: window) }
        }
        let enabled = f["enabled"].flatMap { bool($0, "enabled of \(what)") } ?? true
        let stop = f["stop"].flatMap { bool($0, "stop of \(what)") } ?? false
        let timeout = f["timeout"].flatMap { duration($0, "timeout of \(what)") }
        let disableAfter = f["disable_after"].flatMap { int($0, "disable_after of \(what)", in: 1...Int.max) }
        let description = f["description"].flatMap { string($0, "description of \(what)") }
        guard let when, let actions else { return nil }
        return Rule(name: name, description: description, enabled: enabled, when: when, actions: actions, stop: stop,
                    retry: retry, timeout: timeout, debounce: debounce, disableAfter: disableAfter, mark: nameNode.mark)
    }

    private func steps(_ node: Node, rule: String) -> [ActionStep]? {
        guard case .sequence(let items) = node.content else {
            error("do of rule '\(rule)' must be a list of actions such as [{http: {url: ...}}], found \(node.kindDescription)", at: node.mark)
            return nil
        }
        guard !items.isEmpty else {
            error("do of rule '\(rule)' is empty; give at least one action", at: node.mark)
            return nil
        }
        let steps = items.enumerated().compactMapToFit { index, item in step(item, rule: rule, index: index) }
        return steps.count == items.count ? steps : nil
    }

    private func step(_ node: Node, rule: String, index: Int) -> ActionStep? {
        var names: [String] { ActionRegistry.types.map { $0.type } }  // for messages only
        guard case .mapping(let entries) = node.content, let entry = entries.first else {
            error("each step of do in rule '\(rule)' names one action: \(names.joined(separator: ", "))", at: node.mark)
            return nil
        }
        guard entries.count == 1 else {
            let found = entries.compactMap { $0.key.scalar?.value }.map { "'\($0)'" }.joined(separator: " and ")
            error("a step of do in rule '\(rule)' names one action; found \(found); make each a separate list item", at: entries[1].key.mark)
            return nil
        }
        let name = entry.key.scalar?.value ?? ""
        guard let type = ActionRegistry.type(named: name) else {
            error("unknown action '\(name)' in rule '\(rule)'; actions are \(names.joined(separator: ", "))\(Suggestion.didYouMean(name, in: names))", at: entry.key.mark)
            return nil
        }
        let before = diagnostics.count
        guard let config = type.decode(entry.value, decoder: self, context: ActionContext(ruleName: rule, index: index)),
              diagnostics.count == before else { return nil }
        return ActionStep(config: config, mark: entry.key.mark)
    }

    /// `rule 'name'` when the rule has a readable name, `rule #N` otherwise.
    static func ruleLabel(_ node: Node, index: Int) -> String {
        readableName(node).map { "rule '\($0)'" } ?? "rule #\(index + 1)"
    }

    /// The rule's name as written, when it is a plain string without `${`.
    static func readableName(_ node: Node) -> String? {
        if case .mapping(let entries) = node.content,
           let name = entries.first(where: { $0.key.scalar?.value == "name" })?.value.scalar, !name.isNull, !name.value.includes("${") {
            return name.value
        }
        return nil
    }

    func retryPolicy(_ node: Node, _ what: @autoclosure () -> String, base: RetryPolicy) -> RetryPolicy? {
        guard let f = fields(node, what(), keys: ["attempts", "backoff", "max_backoff"]) else { return nil }
        var policy = base
        if let n = f["attempts"], let v = int(n, "attempts in \(what())", in: 1...1000) { policy.attempts = v }
        if let n = f["backoff"], let v = duration(n, "backoff in \(what())") { policy.backoff = v }
        if let n = f["max_backoff"], let v = duration(n, "max_backoff in \(what())") { policy.maxBackoff = v }
        if policy.maxBackoff < policy.backoff {
            error("max_backoff in \(what()) is shorter than backoff", at: f["max_backoff"]?.mark ?? node.mark)
        }
        return policy
    }

    func defaults(_ node: Node) -> Defaults {
        var defaults = Defaults()
        guard let f = fields(node, "defaults", keys: ["retry", "timeout", "concurrency"]) else { return defaults }
        if let n = f["retry"], let policy = retryPolicy(n, "retry of defaults", base: defaults.retry) { defaults.retry = policy }
        if let n = f["timeout"], let v = duration(n, "timeout of defaults") { defaults.timeout = v }
        if let n = f["concurrency"], let v = int(n, "concurrency of defaults", in: 1...10_000) { defaults.concurrency = v }
        return defaults
    }

    func server(_ node: Node) -> ServerSettings {
        var server = ServerSettings()
        guard let f = fields(node, "server", keys: ["listen", "store", "max_body", "retention"], secrets: ["admin_token"]) else {
            return server
        }
        server.listen = f["listen"].flatMap { nonEmptyString($0, "listen of server") }
        server.store = f["store"].flatMap { nonEmptyString($0, "store of server") }
        server.maxBody = f["max_body"].flatMap { size($0, "max_body of server") }
        server.adminToken = secret(f, "admin_token")
        server.retention = f["retention"].flatMap { node in
            parsed(node, "retention of server") { text throws(ValueError) in try HistoryRetention(parsing: text) }
        }
        return server
    }
}
