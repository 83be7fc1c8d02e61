/// Evaluating conditions against a canonical event, with the reason when one fails.
extension Condition {
    /// True when the event satisfies the condition. This is routing's hot path: it hashes nothing
    /// and allocates nothing (event types and artifact kinds are bit sets, sources a short list).
    public func matches(_ event: Event) -> Bool {
        switch self {
        case .all(let parts):
            for part in parts where !part.matches(event) { return false }
            return true
        case .any(let parts):
            for part in parts where part.matches(event) { return true }
            return false
        case .not(let part): return !part.matches(event)
        case .match(let matcher, _): return matcher.matches(event)
        }
    }

    /// Nil when the event satisfies the condition, otherwise why not: the first matcher that failed.
    public func failure(_ event: Event) -> String? {
        switch self {
        case .all(let parts):
            for part in parts { if let reason = part.failure(event) { return reason } }
            return nil
        case .any(let parts):
            guard !parts.contains(where: { $0.matches(event) }) else { return nil }
            let reasons = parts.compactMap { $0.failure(event) }
            return "none of 'any' holds: " + reasons.joined(separator: "; ")
        case .not(let part):
            return part.matches(event) ? "'not' excludes it: \(part.summary)" : nil
        case .match(let matcher, _):
            return matcher.matches(event) ? nil : matcher.failure(event)
        }
    }

    /// A short description of the condition, for 'not' reasons.
    var summary: String {
        switch self {
        case .all(let parts): parts.isEmpty ? "every event" : parts.map(\.summary).joined(separator: " and ")
        case .any(let parts): "any of (" + parts.map(\.summary).joined(separator: ", ") + ")"
        case .not(let part): "not (\(part.summary))"
        case .match(let matcher, _): matcher.summary
        }
    }
}

extension Matcher {
    /// True when the event satisfies this matcher.
    public func matches(_ event: Event) -> Bool {
        switch self {
        case .source(let names):
            for name in names where name == event.sourceName { return true }
            return false
        case .event(let types): return types.contains(event.type)
        case .field(let field, let pattern):
            guard let value = event.value(of: field) else { return false }
            return pattern.matches(value)
        case .artifact(let kinds): return event.artifact.map { kinds.contains($0) } ?? false
        case .severity(let condition): return event.scan.map { condition.matches($0.severity) } ?? false
        case .vulnerabilities(let counts):
            guard let scan = event.scan else { return false }
            for count in counts where !count.matches(scan.count(count.counter)) { return false }
            return true
        case .size(let condition): return event.size.map(condition.matches) ?? false
        }
    }

    /// Why the event does not satisfy this matcher.
    func failure(_ event: Event) -> String {
        switch self {
        case .source(let names):
            return "source \"\(event.sourceName)\" is not \(Self.list(names))"
        case .event(let types):
            return "event \(event.type.rawValue) is not \(Self.list(types.map(\.rawValue).sorted()))"
        case .field(let field, let pattern):
            guard let value = event.value(of: field) else { return "\(field.rawValue) is missing" }
            return "\(field.rawValue) \"\(value)\" does not \(pattern.summary)"
        case .artifact(let kinds):
            guard let artifact = event.artifact else { return "artifact kind is unknown" }
            return "artifact \(artifact.rawValue) is not \(Self.list(kinds.map(\.rawValue).sorted()))"
        case .severity(let condition):
            guard let scan = event.scan else { return "the event has no scan results" }
            return "severity \(scan.severity.name) is not \(condition.summary)"
        case .vulnerabilities(let counts):
            guard let scan = event.scan else { return "the event has no scan results" }
            let failed = counts.first { !$0.matches(scan.count($0.counter)) }
            guard let failed else { return "vulnerability counts do not match" }
            return "\(failed.counter.rawValue) count \(scan.count(failed.counter)) is not \(failed.comparison.rawValue)\(failed.value)"
        case .size(let condition):
            guard let size = event.size else { return "size is unknown" }
            return "size \(ByteSize(bytes: size)) is not \(condition.summary)"
        }
    }

    var summary: String {
        switch self {
        case .source(let names): "source is \(Self.list(names))"
        case .event(let types): "event is \(Self.list(types.map(\.rawValue).sorted()))"
        case .field(let field, let pattern): "\(field.rawValue) does \(pattern.summary)"
        case .artifact(let kinds): "artifact is \(Self.list(kinds.map(\.rawValue).sorted()))"
        case .severity(let condition): "severity is \(condition.summary)"
        case .vulnerabilities(let counts): counts.map { "\($0.counter.rawValue) \($0.comparison.rawValue)\($0.value)" }.joined(separator: ", ")
        case .size(let condition): "size is \(condition.summary)"
        }
    }

    static func list(_ names: [String]) -> String {
        names.count == 1 ? names[0] : "one of " + names.joined(separator: ", ")
    }
}

extension StringPattern {
    /// `match "shop/**"`, `satisfy semver >=1.0.0`, or `match any of "a/**", regex "b.*"`.
    var summary: String {
        if items.count == 1, let item = items.first {
            switch item {
            case .glob(let glob): return "match \"\(glob.pattern)\""
            case .regex(let regex): return "match regex \"\(regex.pattern)\""
            case .semver(let range): return "satisfy semver \(range.text)"
            }
        }
        let parts = items.map { item -> String in
            switch item {
            case .glob(let glob): "\"\(glob.pattern)\""
            case .regex(let regex): "regex \"\(regex.pattern)\""
            case .semver(let range): "semver \(range.text)"
            }
        }
        return "match any of " + parts.joined(separator: ", ")
    }
}

extension SeverityCondition {
    var summary: String {
        var parts: [String] = []
        if let exactly { parts.append(exactly.name) }
        if let atLeast { parts.append("at least \(atLeast.name)") }
        if let below { parts.append("below \(below.name)") }
        return parts.joined(separator: " and ")
    }
}

extension SizeCondition {
    var summary: String {
        var parts: [String] = []
        if let above { parts.append("above \(above)") }
        if let below { parts.append("below \(below)") }
        return parts.joined(separator: " and ")
    }
}
