/// A compiled glob over '/'-separated names: `*` within a segment, `**` across segments (`a/**/b` also matches `a/b`; `**` alone matches everything), `?` one non-'/' char, `[a-z]`/`[!a-z]`/`[^a-z]` classes, `{a,b}` alternatives (nestable), backslash escapes.
///
/// `**` between slashes (or at the start, before a slash) matches zero or more whole
/// segments; anywhere else it matches any run of characters, '/' included. So
/// `shop/**` matches `shop/web` and `shop/web/api` but not `shop`. Classes never
/// match '/'; inside a class, `]` always closes it (write `\]` for a literal one).
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    /// One program per brace alternative; the glob matches when any of them does.
    let programs: [GlobProgram]
    /// The longest literal prefix every match must start with (e.g. "shop/web" for "shop/web*", "shop/" for "shop/{a,b}", "" for "*x").
    public let literalPrefix: String
    /// True when the pattern has no wildcard at all: it matches exactly `pattern` with escapes removed (which is then `literalPrefix`).
    public let isLiteral: Bool

    /// The most alternatives one pattern may expand to, so a pattern cannot blow up memory.
    public static let maximumAlternatives = 256

    /// Compiles `pattern`; errors point at the offending character.
    public init(_ pattern: String) throws(ValueError) {
        var parser = GlobParser(pattern)
        let items = try parser.parseTopLevel()
        let programs = GlobParser.expand(items).map(GlobProgram.init(compiling:))
        self.pattern = pattern
        self.programs = programs
        self.literalPrefix = Self.commonPrefix(programs.map(\.literalPrefix))
        self.isLiteral = !parser.usedBraces && programs.count == 1 && programs[0].isLiteral
    }

    /// True when the whole of `text` matches the pattern.
    public func matches(_ text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable({ matches(utf8: $0) }) {
            return result
        }
        var contiguous = text
        return contiguous.withUTF8 { matches(utf8: $0) }
    }

    /// True when the whole of the UTF-8 bytes `text` matches the pattern.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        for program in programs where program.matches(text) {
            return true
        }
        return false
    }

    /// The pattern as written.
    public var description: String { pattern }

    /// Globs are equal when their patterns are: the compiled form follows from the text.
    public static func == (lhs: Glob, rhs: Glob) -> Bool { lhs.pattern == rhs.pattern }

    /// Hashes the pattern text.
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    private static func commonPrefix(_ prefixes: [String]) -> String {
        guard var common = prefixes.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for prefix in prefixes.dropFirst() {
            let scalars = Array(prefix.unicodeScalars)
            var length = 0
            while length < common.count, length < scalars.count, common[length] == scalars[length] { length += 1 }
            common.removeSubrange(length...)
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: common)
        return String(view)
    }
}

/// One element of a brace-free pattern.
enum GlobAtom: Sendable {
    case literal(Unicode.Scalar)
    case anyCharacter
    case characterClass(GlobCharacterClass)
    case star
    case globstar
}

/// One element of a parsed pattern, before brace alternatives are expanded.
enum GlobItem: Sendable {
    case atom(GlobAtom)
    case alternatives([[GlobItem]])
}

/// A recursive-descent parser from pattern text to `GlobItem`s.
struct GlobParser {
    private let pattern: String
    private let scalars: String.UnicodeScalarView
    private var index: String.Index
    /// Set once any `{…}` group is seen: such a pattern is never literal.
    private(set) var usedBraces = false

    init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = pattern.unicodeScalars
        self.index = pattern.unicodeScalars.startIndex
    }

    mutating func parseTopLevel() throws(ValueError) -> [GlobItem] {
        try parseSequence(insideBraces: false).items
    }

    /// Every brace-free pattern the alternatives in `items` stand for.
    static func expand(_ items: [GlobItem]) -> [[GlobAtom]] {
        var results: [[GlobAtom]] = [[]]
        for item in items {
            switch item {
            case .atom(let atom):
                for i in results.indices { results[i].append(atom) }
            case .alternatives(let alternatives):
                let expanded = alternatives.flatMap(expand)
                results = results.flatMap { prefix in expanded.map { prefix + $0 } }
            }
        }
        return results
    }

    private func error(_ message: String, at position: String.Index) -> ValueError {
        ValueError(message, offset: pattern.distance(from: pattern.startIndex, to: position))
    }

    /// Items up to the end, or (inside braces) up to the next top-level ',' or '}'.
    private mutating func parseSequence(insideBraces: Bool) throws(ValueError) -> (items: [GlobItem], count: Int) {
        var items: [GlobItem] = []
        var count = 1
        while index < scalars.endIndex {
            let start = index
            let scalar = scalars[index]
            if insideBraces && (scalar == "," || scalar == "}") { break }
            scalars.formIndex(after: &index)
            switch scalar {
            case "*":
                var run = 1
                while index < scalars.endIndex, scalars[index] == "*" {
                    run += 1
                    scalars.formIndex(after: &index)
                }
                items.append(.atom(run == 1 ? .star : .globstar))
            case "?":
                items.append(.atom(.anyCharacter))
            case "[":
                items.append(.atom(.characterClass(try parseClass(openedAt: start))))
            case "{":
                let (alternatives, alternativeCount) = try parseBraces(openedAt: start)
                count *= alternativeCount
                guard count <= Glob.maximumAlternatives else {
                    throw error("more than \(Glob.maximumAlternatives) brace alternatives", at: start)
                }
                items.append(.alternatives(alternatives))
            case "\\":
                items.append(.atom(.literal(try escaped(backslashAt: start))))
            default:
                items.append(.atom(.literal(scalar)))
            }
        }
        return (items, count)
    }

    private mutating func parseBraces(openedAt open: String.Index) throws(ValueError) -> ([[GlobItem]], Int) {
        usedBraces = true
        var alternatives: [[GlobItem]] = []
        var total = 0
        while true {
            let (items, count) = try parseSequence(insideBraces: true)
            alternatives.append(items)
            total += count
            guard total <= Glob.maximumAlternatives else {
                throw error("more than \(Glob.maximumAlternatives) brace alternatives", at: open)
            }
            guard index < scalars.endIndex else {
                throw error("unclosed '{'; write \\{ to match a literal '{'", at: open)
            }
            let separator = scalars[index]
            scalars.formIndex(after: &index)
            if separator == "}" { return (alternatives, total) }
        }
    }

    private mutating func parseClass(openedAt open: String.Index) throws(ValueError) -> GlobCharacterClass {
        var result = GlobCharacterClass()
        if index < scalars.endIndex, scalars[index] == "!" || scalars[index] == "^" {
            result.isNegated = true
            scalars.formIndex(after: &index)
        }
        var isEmpty = true
        while true {
            guard index < scalars.endIndex else {
                throw error("unclosed '['; write \\[ to match a literal '['", at: open)
            }
            let start = index
            var low = scalars[index]
            scalars.formIndex(after: &index)
            if low == "]" {
                guard !isEmpty else { throw error("empty character class '[]'", at: open) }
                return result
            }
            if low == "\\" { low = try escaped(backslashAt: start) }
            var high = low
            if index < scalars.endIndex, scalars[index] == "-" {
                let afterDash = scalars.index(after: index)
                if afterDash < scalars.endIndex, scalars[afterDash] != "]" {
                    index = scalars.index(after: afterDash)
                    high = scalars[afterDash]
                    if high == "\\" { high = try escaped(backslashAt: afterDash) }
                    guard low.value <= high.value else {
                        throw error("invalid range '\(low)-\(high)' in character class", at: start)
                    }
                }
            }
            result.insert(low.value...high.value)
            isEmpty = false
        }
    }

    /// The scalar after a backslash at `backslash` (whose index has already been passed).
    private mutating func escaped(backslashAt backslash: String.Index) throws(ValueError) -> Unicode.Scalar {
        guard index < scalars.endIndex else {
            throw error("trailing backslash; write \\\\ to match a literal backslash", at: backslash)
        }
        let scalar = scalars[index]
        scalars.formIndex(after: &index)
        return scalar
    }
}
