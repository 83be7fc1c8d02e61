/// Decoding `when:` into a compiled `Condition`.
extension NodeDecoder {
    /// The matcher keys `when` accepts.
    public static let matcherKeys = [
        "source", "event", "registry", "namespace", "repository", "tag", "digest", "actor", "artifact",
        "media_type", "severity", "vulnerabilities", "size", "any", "all", "not",
    ]

    /// Decodes a `when` mapping: every key must hold. Source names are collected in `sourceReferences`.
    func condition(_ node: Node, _ what: @autoclosure () -> String, sourceReferences: inout [(name: String, mark: Mark)]) -> Condition? {
        guard case .mapping(let entries) = node.content else {
            if case .scalar(let scalar) = node.content, scalar.isNull { return .always }
            error("\(what()) must be a mapping of matchers, found \(node.kindDescription)", at: node.mark)
            return nil
        }
        var parts: [Condition] = []
        parts.reserveCapacity(entries.count)
        var ok = true
        for entry in entries {
            guard let key = entry.key.scalar?.value else {
                error("keys in \(what()) must be matcher names", at: entry.key.mark)
                ok = false
                continue
            }
            guard let part = matcher(key, entry.value, keyMark: entry.key.mark, what(), &sourceReferences) else {
                ok = false
                continue
            }
            parts.append(part)
        }
        guard ok else { return nil }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private func matcher(_ key: String, _ value: Node, keyMark: Mark, _ what: @autoclosure () -> String,
                         _ refs: inout [(name: String, mark: Mark)]) -> Condition? {
        // Built only when a message needs it: most matchers decode without one.
        func label() -> String { "'\(key)' in \(what())" }
        let matcher: Matcher?
        switch key {
        case "any", "all":
            guard let items = list(value, label(), allowSingle: false) else { return nil }
            guard !items.isEmpty else {
                error("\(label()) needs at least one condition", at: value.mark)
                return nil
            }
            let parts = items.compactMapToFit { condition($0, label(), sourceReferences: &refs) }
            guard parts.count == items.count else { return nil }
            return key == "any" ? .any(parts) : .all(parts)
        case "not":
            return condition(value, label(), sourceReferences: &refs).map(Condition.not)
        case "source":
            guard let names = strings(value, label()) else { return nil }
            for (name, mark) in names { refs.append((name, mark)) }
            matcher = .source(Set(names.map(\.0)).sorted())
        case "event":
            matcher = names(value, label(), as: EventType.self, noun: "event type").map { .event(EventTypes($0)) }
        case "artifact":
            matcher = names(value, label(), as: ArtifactKind.self, noun: "artifact kind").map { .artifact(ArtifactKinds($0)) }
        case "severity":
            matcher = severityCondition(value, label()).map(Matcher.severity)
        case "vulnerabilities":
            matcher = countConditions(value, label()).map(Matcher.vulnerabilities)
        case "size":
            matcher = sizeCondition(value, label()).map(Matcher.size)
        default:
            guard let field = StringField(rawValue: key) else {
                error("unknown matcher '\(key)' in \(what())\(Suggestion.didYouMean(key, in: Self.matcherKeys))", at: keyMark)
                return nil
            }
            matcher = pattern(value, label(), allowSemver: field == .tag).map { .field(field, $0) }
        }
        return matcher.map { .match($0, keyMark) }
    }

    /// One string or a list of strings, with their positions.
    private func strings(_ node: Node, _ what: @autoclosure () -> String) -> [(String, Mark)]? {
        guard let items = list(node, what()) else { return nil }
        let values = items.compactMap { item in string(item, what()).map { ($0, item.mark) } }
        return values.count == items.count ? values : nil
    }

    /// One name or a list of names from a fixed vocabulary.
    private func names<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: @autoclosure () -> String, as: T.Type, noun: String) -> [T]? where T.RawValue == String {
        guard let values = strings(node, what()) else { return nil }
        var out: [T] = []
        for (value, mark) in values {
            guard let parsed = T(rawValue: value) else {
                let all = T.allCases.map(\.rawValue)
                error("unknown \(noun) '\(value)'; expected one of \(all.joined(separator: ", "))\(Suggestion.didYouMean(value, in: all))", at: mark)
                return nil
            }
            out.append(parsed)
        }
        return out
    }

    /// A glob, `{regex: ...}`, `{semver: ...}` (tags only), or a list of them.
    func pattern(_ node: Node, _ what: @autoclosure () -> String, allowSemver: Bool) -> StringPattern? {
        guard let items = list(node, what()) else { return nil }
        var out: [StringPattern.Item] = []
        out.reserveCapacity(items.count)
        for item in items {
            if case .mapping = item.content {
                let keys = allowSemver ? ["regex", "semver"] : ["regex"]
                let before = diagnostics.count
                guard let f = fields(item, what(), keys: keys), diagnostics.count == before else { return nil }
                if let node = f["regex"] {
                    guard let regex = compiled(node, "regex in \(what())", \.regexCache, RegexPattern.init) else { return nil }
                    out.append(.regex(regex))
                } else if let node = f["semver"] {
                    guard let range = compiled(node, "semver range in \(what())", \.semverCache, SemverRange.init) else { return nil }
                    out.append(.semver(range))
                } else {
                    error("\(what()) takes a glob, {regex: ...}\(allowSemver ? " or {semver: ...}" : "")", at: item.mark)
                    return nil
                }
            } else {
                guard let glob = compiled(item, "glob in \(what())", \.globCache, Glob.init) else { return nil }
                out.append(.glob(glob))
            }
        }
        // The same alternatives come from the same texts: equal keys build equal patterns.
        let key = out.map { item in
            switch item {
            case .glob(let glob): "g" + glob.pattern
            case .regex(let regex): "r" + regex.pattern
            case .semver(let range): "s" + range.text
            }
        }.joined(separator: "\u{0}")
        if let shared = patternCache[key] { return shared }
        let pattern = StringPattern(items: out)
        patternCache[key] = pattern
        return pattern
    }

    private func severityLevel(_ node: Node, _ what: @autoclosure () -> String) -> Severity? {
        guard let text = string(node, what()) else { return nil }
        guard let level = Severity.allCases.first(where: { $0.name == text }) else {
            let names = Severity.allCases.map(\.name)
            error("unknown severity '\(text)'; levels are \(names.joined(separator: ", "))\(Suggestion.didYouMean(text, in: names))", at: node.mark)
            return nil
        }
        return level
    }

    private func severityCondition(_ node: Node, _ what: @autoclosure () -> String) -> SeverityCondition? {
        if case .scalar = node.content {
            return severityLevel(node, what()).map { SeverityCondition(exactly: $0) }
        }
        guard let f = fields(node, what(), keys: ["at_least", "below"]) else { return nil }
        guard f["at_least"] != nil || f["below"] != nil else {
            error("\(what()) needs 'at_least', 'below' or a level", at: node.mark)
            return nil
        }
        var condition = SeverityCondition()
        if let n = f["at_least"] { guard let level = severityLevel(n, "at_least in \(what())") else { return nil }; condition.atLeast = level }
        if let n = f["below"] { guard let level = severityLevel(n, "below in \(what())") else { return nil }; condition.below = level }
        if let low = condition.atLeast, let high = condition.below, low >= high {
            error("\(what()) can never match: at_least \(low) is not below \(high)", at: node.mark)
            return nil
        }
        return condition
    }

    private func countConditions(_ node: Node, _ what: @autoclosure () -> String) -> [CountCondition]? {
        let keys = CountCondition.Counter.allCases.map(\.rawValue)
        guard let f = fields(node, what(), keys: keys) else { return nil }
        var out: [CountCondition] = []
        for key in f.keys {
            guard let value = f[key], let counter = CountCondition.Counter(rawValue: key),
                  let text = string(value, "\(key) in \(what())") else { return nil }
            guard let parsed = Self.comparison(text) else {
                error("\(key) in \(what()) must be a comparison such as \">0\", \">=3\" or \"0\", found '\(text)'", at: value.mark)
                return nil
            }
            out.append(CountCondition(counter: counter, comparison: parsed.0, value: parsed.1))
        }
        guard !out.isEmpty else {
            error("\(what()) needs at least one count, such as critical: \">0\"", at: node.mark)
            return nil
        }
        return out
    }

    /// The comparison operators, longest first so that ">=" is tried before ">".
    private static let comparisonsLongestFirst = CountCondition.Comparison.allCases.sorted { $0.rawValue.count > $1.rawValue.count }

    static func comparison(_ text: String) -> (CountCondition.Comparison, Int)? {
        let trimmed = Substring(text).trimmingWhitespace()
        let op = comparisonsLongestFirst.first { trimmed.hasPrefix($0.rawValue) }
        let number = trimmed.dropFirst(op?.rawValue.count ?? 0).trimmingWhitespace()
        guard let value = Int(number), value >= 0 else { return nil }
        return (op ?? .equal, value)
    }

    private func sizeCondition(_ node: Node, _ what: @autoclosure () -> String) -> SizeCondition? {
        guard let f = fields(node, what(), keys: ["above", "below"]) else { return nil }
        guard f["above"] != nil || f["below"] != nil else {
            error("\(what()) needs 'above' or 'below'", at: node.mark)
            return nil
        }
        var condition = SizeCondition()
        if let n = f["above"] { guard let size = size(n, "above in \(what())") else { return nil }; condition.above = size }
        if let n = f["below"] { guard let size = size(n, "below in \(what())") else { return nil }; condition.below = size }
        return condition
    }
}
