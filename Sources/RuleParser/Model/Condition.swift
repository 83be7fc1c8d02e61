/// The `when:` of a rule, compiled: matchers and the `any`/`all`/`not` combinators.
public indirect enum Condition: Sendable {
    /// Every condition holds (an empty list always holds).
    case all([Condition])
    /// At least one condition holds.
    case any([Condition])
    /// The condition does not hold.
    case not(Condition)
    /// One matcher.
    case match(Matcher, Mark)

    /// The condition that always holds.
    public static let always = Condition.all([])
}

/// One key of `when:`.
public enum Matcher: Sendable {
    /// The event came through one of these sources.
    case source(Set<String>)
    /// The event has one of these types.
    case event(Set<EventType>)
    /// A string field matches a pattern.
    case field(StringField, StringPattern)
    /// The artifact is one of these kinds.
    case artifact(Set<ArtifactKind>)
    /// The scan's highest severity satisfies the condition.
    case severity(SeverityCondition)
    /// Every per-level vulnerability count satisfies its comparison.
    case vulnerabilities([CountCondition])
    /// The artifact's size is within bounds.
    case size(SizeCondition)
}

/// The string fields of a canonical event that `when` can match.
public enum StringField: String, Sendable, Hashable, CaseIterable {
    case registry, namespace, repository, tag, digest, actor
    case mediaType = "media_type"
}

/// A glob, a regex or a semver range; a list of them matches when any does.
public struct StringPattern: Sendable {
    /// One alternative.
    public enum Item: Sendable {
        case glob(Glob)
        case regex(RegexPattern)
        case semver(SemverRange)
    }

    /// The alternatives.
    public var items: [Item]

    /// Creates a pattern from its alternatives.
    public init(items: [Item]) {
        self.items = items
    }

    /// True when any alternative matches the whole of `text`.
    public func matches(_ text: String) -> Bool {
        for item in items {
            switch item {
            case .glob(let glob): if glob.matches(text) { return true }
            case .regex(let regex): if regex.matches(text) { return true }
            case .semver(let range): if range.matches(tag: text) { return true }
            }
        }
        return false
    }
}

/// `severity: high`, `{at_least: high}`, `{below: high}` or both bounds.
public struct SeverityCondition: Sendable, Hashable {
    /// Lowest level that matches.
    public var atLeast: Severity?
    /// Levels strictly below this match.
    public var below: Severity?
    /// Only this level matches.
    public var exactly: Severity?

    /// Whether `severity` satisfies every bound given.
    public func matches(_ severity: Severity) -> Bool {
        if let exactly, severity != exactly { return false }
        if let atLeast, severity < atLeast { return false }
        if let below, severity >= below { return false }
        return true
    }
}

/// One `vulnerabilities:` entry, such as `critical: ">0"`.
public struct CountCondition: Sendable, Hashable {
    /// Which count the comparison reads.
    public enum Counter: String, Sendable, Hashable, CaseIterable {
        case critical, high, medium, low, negligible, unknown, fixable, total
    }

    /// A comparison operator.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", equal = "==", notEqual = "!="
    }

    /// The count compared.
    public var counter: Counter
    /// How it is compared.
    public var comparison: Comparison
    /// With what.
    public var value: Int

    /// Whether `count` satisfies the comparison.
    public func matches(_ count: Int) -> Bool {
        switch comparison {
        case .greater: count > value
        case .greaterOrEqual: count >= value
        case .less: count < value
        case .lessOrEqual: count <= value
        case .equal: count == value
        case .notEqual: count != value
        }
    }
}

/// `size: {above: 1GB, below: 2GB}`.
public struct SizeCondition: Sendable, Hashable {
    /// Sizes strictly above this match.
    public var above: ByteSize?
    /// Sizes strictly below this match.
    public var below: ByteSize?

    /// Whether `bytes` is within both bounds.
    public func matches(_ bytes: Int64) -> Bool {
        if let above, bytes <= above.bytes { return false }
        if let below, bytes >= below.bytes { return false }
        return true
    }
}
