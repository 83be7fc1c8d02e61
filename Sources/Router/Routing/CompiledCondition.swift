/// Conditions lowered for the hot path: event types and artifact kinds as bit sets, source names
/// as a short array, so matching one rule hashes nothing and allocates nothing.

/// A `Condition` compiled for routing; `explain` keeps using `Condition` for its reasons.
indirect enum CompiledCondition: Sendable {
    case all([CompiledCondition])
    case any([CompiledCondition])
    case not(CompiledCondition)
    case events(UInt32)
    case sources([String])
    case field(StringField, StringPattern)
    case artifacts(UInt8)
    case severity(SeverityCondition)
    case vulnerabilities([CountCondition])
    case size(SizeCondition)

    init(_ condition: Condition) {
        switch condition {
        case .all(let parts): self = parts.count == 1 ? CompiledCondition(parts[0]) : .all(parts.map(CompiledCondition.init))
        case .any(let parts): self = .any(parts.map(CompiledCondition.init))
        case .not(let part): self = .not(CompiledCondition(part))
        case .match(let matcher, _):
            switch matcher {
            case .event(let types): self = .events(types.reduce(0) { $0 | EventType.bit($1) })
            case .source(let names): self = .sources(names.sorted())
            case .field(let field, let pattern): self = .field(field, pattern)
            case .artifact(let kinds): self = .artifacts(kinds.reduce(0) { $0 | ArtifactKind.bit($1) })
            case .severity(let condition): self = .severity(condition)
            case .vulnerabilities(let counts): self = .vulnerabilities(counts)
            case .size(let condition): self = .size(condition)
            }
        }
    }

    /// True when the event satisfies the condition; the same answers as `Condition.matches`.
    func matches(_ event: Event, typeBit: UInt32) -> Bool {
        switch self {
        case .all(let parts):
            for part in parts where !part.matches(event, typeBit: typeBit) { return false }
            return true
        case .any(let parts):
            for part in parts where part.matches(event, typeBit: typeBit) { return true }
            return false
        case .not(let part): return !part.matches(event, typeBit: typeBit)
        case .events(let mask): return mask & typeBit != 0
        case .sources(let names):
            for name in names where name == event.sourceName { return true }
            return false
        case .field(let field, let pattern):
            guard let value = event.value(of: field) else { return false }
            return pattern.matches(value)
        case .artifacts(let mask): return event.artifact.map { mask & ArtifactKind.bit($0) != 0 } ?? false
        case .severity(let condition): return event.scan.map { condition.matches($0.severity) } ?? false
        case .vulnerabilities(let counts):
            guard let scan = event.scan else { return false }
            for count in counts where !count.matches(scan.count(count.counter)) { return false }
            return true
        case .size(let condition): return event.size.map(condition.matches) ?? false
        }
    }
}

/// A rule as routing needs it, held by reference so walking candidates copies nothing.
final class RoutedRule: Sendable {
    let name: String
    let enabled: Bool
    let stop: Bool
    let condition: CompiledCondition

    init(_ rule: Rule) {
        name = rule.name
        enabled = rule.enabled
        stop = rule.stop
        condition = CompiledCondition(rule.when)
    }
}

extension EventType {
    /// This type's bit in a mask; the position in `allCases`.
    static func bit(_ type: EventType) -> UInt32 {
        UInt32(1) << UInt32(slot(type))
    }

    /// The type's position in `allCases`.
    static func slot(_ type: EventType) -> Int {
        switch type {
        case .push: 0
        case .pull: 1
        case .delete: 2
        case .scanCompleted: 3
        case .scanFailed: 4
        case .scanStopped: 5
        case .quotaExceeded: 6
        case .quotaWarning: 7
        case .replication: 8
        case .chartPush: 9
        case .chartPull: 10
        case .chartDelete: 11
        case .tagRetention: 12
        case .buildCompleted: 13
        }
    }
}

extension ArtifactKind {
    static func bit(_ kind: ArtifactKind) -> UInt8 {
        switch kind {
        case .image: 1
        case .index: 2
        case .chart: 4
        case .signature: 8
        case .sbom: 16
        case .other: 32
        }
    }
}
