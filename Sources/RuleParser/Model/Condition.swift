/// The `when:` of a rule, compiled: matchers and the `any`/`all`/`not` combinators.
///
/// Routing reads this tree as it is, so a server keeps one per rule. Matchers sit inline in their
/// lists (only `not` and the rare `size` are boxed), and event types and artifact kinds are bit sets:
/// for a 10,000-rule file that is a few megabytes less than a tree of boxes and hash sets.
public enum Condition: Sendable {
    /// Every condition holds (an empty list always holds).
    case all([Condition])
    /// At least one condition holds.
    case any([Condition])
    /// The condition does not hold.
    indirect case not(Condition)
    /// One matcher.
    case match(Matcher, Mark)

    /// The condition that always holds.
    public static let always = Condition.all([])
}

/// One key of `when:`.
public enum Matcher: Sendable {
    /// The event came through one of these sources: sorted, without repeats.
    case source([String])
    /// The event has one of these types.
    case event(EventTypes)
    /// A string field matches a pattern.
    case field(StringField, StringPattern)
    /// The artifact is one of these kinds.
    case artifact(ArtifactKinds)
    /// The scan's highest severity satisfies the condition.
    case severity(SeverityCondition)
    /// Every per-level vulnerability count satisfies its comparison.
    case vulnerabilities([CountCondition])
    /// The artifact's size is within bounds.
    indirect case size(SizeCondition)
}

/// A set of event types.
public typealias EventTypes = CaseSet<EventType>
/// A set of artifact kinds.
public typealias ArtifactKinds = CaseSet<ArtifactKind>

/// A small enum whose cases a `CaseSet` keeps as bits.
public protocol CaseSetElement: CaseIterable, Sendable where AllCases == [Self] {
    /// The case's bit, below 32; distinct for every case.
    var bitPosition: Int { get }
}

/// A set of cases of a small enum, one bit per case: no storage to allocate, and `contains` is a mask.
public struct CaseSet<Element: CaseSetElement>: Sendable, Hashable, Sequence, ExpressibleByArrayLiteral {
    /// The bits of the cases in the set.
    public private(set) var bits: UInt32

    /// The empty set.
    public init() {
        bits = 0
    }

    /// The set of `elements`.
    public init(_ elements: some Sequence<Element>) {
        bits = 0
        for element in elements { insert(element) }
    }

    public init(arrayLiteral elements: Element...) {
        self.init(elements)
    }

    /// Every case.
    public static var all: CaseSet { CaseSet(Element.allCases) }

    /// True when nothing is in the set.
    public var isEmpty: Bool { bits == 0 }

    /// The number of cases in the set.
    public var count: Int { bits.nonzeroBitCount }

    /// True when `element` is in the set.
    @inlinable
    public func contains(_ element: Element) -> Bool {
        bits & (1 << UInt32(element.bitPosition)) != 0
    }

    /// Adds `element`.
    public mutating func insert(_ element: Element) {
        bits |= 1 << UInt32(element.bitPosition)
    }

    /// The cases in both sets.
    public func intersection(_ other: CaseSet) -> CaseSet {
        var result = self
        result.bits &= other.bits
        return result
    }

    /// Adds the cases of `other`.
    public mutating func formUnion(_ other: CaseSet) {
        bits |= other.bits
    }

    /// The cases in the set, in declaration order.
    public func makeIterator() -> IndexingIterator<[Element]> {
        Element.allCases.filter(contains).makeIterator()
    }
}

extension EventType: CaseSetElement {
    /// The type's position in `allCases`.
    public var bitPosition: Int {
        switch self {
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

extension ArtifactKind: CaseSetElement {
    /// The kind's position in `allCases`.
    public var bitPosition: Int {
        switch self {
        case .image: 0
        case .index: 1
        case .chart: 2
        case .signature: 3
        case .sbom: 4
        case .other: 5
        }
    }
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
