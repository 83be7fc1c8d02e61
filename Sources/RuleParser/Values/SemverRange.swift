import Version

/// An npm-style semver range over image tags, using mxcl/Version (`import Version`) for versions.
///
/// Supports comparators (`>`, `>=`, `<`, `<=`, `=`), bare versions, `^`, `~` (and `~>`),
/// x-ranges (`1.x`, `1.2.*`), hyphen ranges (`1.0 - 2.0`), space for AND and `||` for OR.
/// As in npm, a prerelease version only matches an AND-set that names a prerelease
/// of the same major.minor.patch: `>=1.2.0-rc.1` admits `1.2.0-rc.2` but not `1.3.0-rc.1`.
public struct SemverRange: Sendable, Hashable, CustomStringConvertible {
    /// The range as written.
    public let text: String
    /// OR of AND-sets; an empty AND-set matches every release version.
    let alternatives: [[SemverComparator]]

    /// Parses `text`; errors name the bad token and point at it.
    public init(_ text: String) throws(ValueError) {
        self.text = text
        self.alternatives = try SemverRangeParser(text).parse()
    }

    /// True when `version` satisfies the range, with npm's prerelease rule.
    public func contains(_ version: Version) -> Bool {
        alternatives.contains { set in
            guard set.allSatisfy({ $0.test(version) }) else { return false }
            guard !version.prereleaseIdentifiers.isEmpty else { return true }
            return set.contains { comparator in
                let bound = comparator.version
                return !bound.prereleaseIdentifiers.isEmpty && bound.major == version.major
                    && bound.minor == version.minor && bound.patch == version.patch
            }
        }
    }

    /// True when `tag` is a full semver (optionally with a leading "v"/"V") inside the range; "latest" or "1.2" never match.
    public func matches(tag: String) -> Bool {
        guard let version = Self.version(fromTag: tag) else { return false }
        return contains(version)
    }

    /// The version a tag names: strictly MAJOR.MINOR.PATCH[-pre][+build] after an optional leading "v"/"V", else nil.
    public static func version(fromTag tag: String) -> Version? {
        var scanner = VersionScanner(Substring(tag), offset: 0)
        scanner.skipVersionPrefix()
        guard let partial = try? scanner.partial(),
              let major = partial.major, let minor = partial.minor, let patch = partial.patch
        else { return nil }
        return Version(major, minor, patch, pre: partial.prerelease, build: partial.build)
    }

    /// The range as written.
    public var description: String { text }

    /// Ranges are equal when written the same way.
    public static func == (lhs: SemverRange, rhs: SemverRange) -> Bool { lhs.text == rhs.text }

    /// Hashes the text.
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// One primitive comparison such as `>=1.2.0` or `<2.0.0-0`.
struct SemverComparator: Sendable, Hashable {
    enum Operator: Sendable, Hashable { case less, lessOrEqual, greater, greaterOrEqual, equal }

    let op: Operator
    let version: Version

    func test(_ candidate: Version) -> Bool {
        let order = Self.compare(candidate, version)
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        case .equal: return order == 0
        }
    }

    /// Semver precedence (-1, 0, 1), ignoring build metadata; avoids Version's allocating `<`.
    static func compare(_ a: Version, _ b: Version) -> Int {
        if a.major != b.major { return a.major < b.major ? -1 : 1 }
        if a.minor != b.minor { return a.minor < b.minor ? -1 : 1 }
        if a.patch != b.patch { return a.patch < b.patch ? -1 : 1 }
        let lhs = a.prereleaseIdentifiers, rhs = b.prereleaseIdentifiers
        if lhs.isEmpty || rhs.isEmpty { return lhs.isEmpty == rhs.isEmpty ? 0 : (lhs.isEmpty ? 1 : -1) }
        for (x, y) in zip(lhs, rhs) where x != y {
            let xNumeric = x.utf8.allSatisfy(isDigit), yNumeric = y.utf8.allSatisfy(isDigit)
            switch (xNumeric, yNumeric) {
            case (true, true):
                if x.utf8.count != y.utf8.count { return x.utf8.count < y.utf8.count ? -1 : 1 }
                return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
            case (true, false): return -1
            case (false, true): return 1
            case (false, false): return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
            }
        }
        return lhs.count == rhs.count ? 0 : (lhs.count < rhs.count ? -1 : 1)
    }
}

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

/// A version with optional trailing parts: `1`, `1.2`, `1.x`, `1.2.3-rc.1`.
private struct PartialVersion {
    var major: Int?
    var minor: Int?
    var patch: Int?
    var prerelease: [String] = []
    var build: [String] = []
}

/// Reads one version token; `offset` is where the token starts in the whole range text (in UTF-8 bytes).
private struct VersionScanner {
    let token: Substring
    let offset: Int
    var bytes: Substring.UTF8View
    var index: Substring.UTF8View.Index

    init(_ token: Substring, offset: Int) {
        self.token = token
        self.offset = offset
        self.bytes = token.utf8
        self.index = token.utf8.startIndex
    }

    var atEnd: Bool { index == bytes.endIndex }
    var current: UInt8? { atEnd ? nil : bytes[index] }

    mutating func skipVersionPrefix() {
        if current == UInt8(ascii: "v") || current == UInt8(ascii: "V") { bytes.formIndex(after: &index) }
    }

    func invalid(_ why: String = "") -> ValueError {
        ValueError("invalid version '\(token)'\(why)", offset: offset)
    }

    /// Parses the rest of the token as a partial version; the whole token must be used.
    mutating func partial() throws(ValueError) -> PartialVersion {
        var parts: [Int?] = []
        var sawWildcard = false
        repeat {
            if !parts.isEmpty { bytes.formIndex(after: &index) }  // the '.'
            guard parts.count < 3 else { throw invalid("; a version has at most three numbers") }
            if let byte = current, byte == UInt8(ascii: "x") || byte == UInt8(ascii: "X") || byte == UInt8(ascii: "*") {
                bytes.formIndex(after: &index)
                parts.append(nil)
                sawWildcard = true
                continue
            }
            let start = index
            while let byte = current, isDigit(byte) { bytes.formIndex(after: &index) }
            let digits = token[start..<index]
            guard !digits.isEmpty else { throw invalid() }
            guard digits.count == 1 || digits.first != "0" else { throw invalid("; numbers have no leading zeros") }
            guard !sawWildcard else { throw invalid("; a number cannot follow a wildcard") }
            guard let number = Int(digits), number < Int.max else { throw invalid("; number too large") }
            parts.append(number)
        } while current == UInt8(ascii: ".")
        var result = PartialVersion()
        result.major = parts[0]
        result.minor = parts.count > 1 ? parts[1] : nil
        result.patch = parts.count > 2 ? parts[2] : nil
        if current == UInt8(ascii: "-") {
            result.prerelease = try identifiers(prerelease: true)
        }
        if current == UInt8(ascii: "+") {
            result.build = try identifiers(prerelease: false)
        }
        guard atEnd else { throw invalid() }
        if !(result.prerelease.isEmpty && result.build.isEmpty) && result.patch == nil {
            throw invalid("; only a full MAJOR.MINOR.PATCH version may have a prerelease or build")
        }
        return result
    }

    /// Dot-separated identifiers after a '-' or '+', up to a '+' or the end.
    private mutating func identifiers(prerelease: Bool) throws(ValueError) -> [String] {
        bytes.formIndex(after: &index)
        var result: [String] = []
        while true {
            let start = index
            while let byte = current, isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: "-") {
                bytes.formIndex(after: &index)
            }
            let identifier = token[start..<index]
            guard !identifier.isEmpty else { throw invalid("; empty identifier") }
            if prerelease && identifier.count > 1 && identifier.first == "0" && identifier.utf8.allSatisfy(isDigit) {
                throw invalid("; numbers have no leading zeros")
            }
            result.append(String(identifier))
            guard current == UInt8(ascii: ".") else { return result }
            bytes.formIndex(after: &index)
        }
    }
}

/// Turns range text into OR-ed AND-sets of comparators.
private struct SemverRangeParser {
    let text: String

    init(_ text: String) { self.text = text }

    /// A token with its UTF-8 offset in `text`.
    typealias Token = (text: Substring, offset: Int)

    func parse() throws(ValueError) -> [[SemverComparator]] {
        let parts = splitOnOr()
        guard parts.contains(where: { !$0.tokens.isEmpty }) else {
            throw ValueError("empty semver range; write * to accept every version")
        }
        var result: [[SemverComparator]] = []
        for part in parts {
            guard !part.tokens.isEmpty else {
                throw error("empty alternative around '||'", at: part.orOffset)
            }
            result.append(try andSet(part.tokens))
        }
        return result
    }

    private func error(_ message: String, at utf8Offset: Int) -> ValueError {
        ValueError(message, in: text, utf8Offset: utf8Offset)
    }

    /// Splits on `||` and whitespace, gluing a bare operator to the version after it (`>= 1.2`).
    private func splitOnOr() -> [(tokens: [Token], orOffset: Int)] {
        var parts: [(tokens: [Token], orOffset: Int)] = [([], 0)]
        let utf8 = text.utf8
        var i = utf8.startIndex
        var pendingOperator: Token?
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        while i < utf8.endIndex {
            let byte = utf8[i]
            let offset = utf8.distance(from: utf8.startIndex, to: i)
            let next = utf8.index(after: i)
            if isSpace(byte) {
                i = next
            } else if byte == UInt8(ascii: "|"), next < utf8.endIndex, utf8[next] == UInt8(ascii: "|") {
                if let op = pendingOperator { parts[parts.count - 1].tokens.append(op) }
                pendingOperator = nil
                parts.append(([], offset))
                i = utf8.index(after: next)
            } else {
                var end = i
                while end < utf8.endIndex, !isSpace(utf8[end]), utf8[end] != UInt8(ascii: "|") || end == i {
                    end = utf8.index(after: end)
                }
                let word = text[i..<end]
                if let op = pendingOperator {
                    let joined = text[text.utf8.index(text.utf8.startIndex, offsetBy: op.offset)..<end]
                    parts[parts.count - 1].tokens.append((joined, op.offset))
                    pendingOperator = nil
                } else if word.utf8.allSatisfy({ "<>=~^".utf8.contains($0) }) {
                    pendingOperator = (word, offset)
                } else {
                    parts[parts.count - 1].tokens.append((word, offset))
                }
                i = end
            }
        }
        if let op = pendingOperator { parts[parts.count - 1].tokens.append(op) }
        if parts.count > 1, parts[0].tokens.isEmpty { parts[0].orOffset = parts[1].orOffset }
        return parts
    }

    private func andSet(_ tokens: [Token]) throws(ValueError) -> [SemverComparator] {
        if let dash = tokens.firstIndex(where: { $0.text == "-" }) {
            guard tokens.count == 3, dash == 1 else {
                throw error("a hyphen range must look like '1.0 - 2.0'", at: tokens[dash].offset)
            }
            return try hyphen(tokens[0], tokens[2])
        }
        var result: [SemverComparator] = []
        for token in tokens { result += try comparators(token) }
        return result
    }

    private func version(_ token: Token, _ afterPrefix: Int = 0) throws(ValueError) -> PartialVersion {
        let rest = token.text.dropFirst(afterPrefix).drop { $0 == " " || $0 == "\t" }
        var scanner = VersionScanner(rest, offset: 0)
        let start = token.offset + token.text.utf8.count - rest.utf8.count
        if let first = rest.utf8.first, "<>=~^".utf8.contains(first) {
            throw error("invalid operator in '\(token.text)'; use >, >=, <, <=, =, ~ or ^", at: token.offset)
        }
        scanner.skipVersionPrefix()
        do { return try scanner.partial() } catch { throw self.error(error.message, at: start) }
    }

    private func bump(_ number: Int, _ token: Token) throws(ValueError) -> Int {
        guard number < Int.max - 1 else { throw error("version number too large in '\(token.text)'", at: token.offset) }
        return number + 1
    }

    private func comparators(_ token: Token) throws(ValueError) -> [SemverComparator] {
        let word = token.text
        let prefixes = [">=", "<=", "~>", ">", "<", "=", "~", "^"]
        let prefix = prefixes.first { word.hasPrefix($0) } ?? ""
        let v = try version(token, prefix.count)
        guard let major = v.major else {
            // `*`, `x`: anything, except that `<*` and `>*` accept nothing.
            return prefix == "<" || prefix == ">" ? [SemverComparator(op: .less, version: Version(0, 0, 0, pre: ["0"]))] : []
        }
        let minor = v.minor ?? 0, patch = v.patch ?? 0
        let floor = Version(major, minor, patch, pre: v.prerelease)
        func ge(_ version: Version) -> SemverComparator { SemverComparator(op: .greaterOrEqual, version: version) }
        func lt(_ a: Int, _ b: Int, _ c: Int) -> SemverComparator {
            SemverComparator(op: .less, version: Version(a, b, c, pre: ["0"]))
        }
        // The first version past the x-range `major[.minor]`.
        let nextMajor = try bump(major, token)
        let ceiling = v.minor == nil ? (nextMajor, 0, 0) : (major, try bump(minor, token), 0)
        switch prefix {
        case "", "=":
            if v.patch != nil { return [SemverComparator(op: .equal, version: floor)] }
            return [ge(floor), lt(ceiling.0, ceiling.1, ceiling.2)]
        case ">":
            if v.patch != nil { return [SemverComparator(op: .greater, version: floor)] }
            return [ge(Version(ceiling.0, ceiling.1, ceiling.2))]
        case ">=":
            return [ge(floor)]
        case "<":
            return [v.patch != nil ? SemverComparator(op: .less, version: floor) : lt(major, minor, 0)]
        case "<=":
            if v.patch != nil { return [SemverComparator(op: .lessOrEqual, version: floor)] }
            return [lt(ceiling.0, ceiling.1, ceiling.2)]
        case "~", "~>":
            if v.minor == nil { return [ge(floor), lt(nextMajor, 0, 0)] }
            return [ge(floor), lt(major, try bump(minor, token), 0)]
        default:  // "^": the leftmost non-zero number may not change.
            if v.minor == nil || major != 0 { return [ge(floor), lt(nextMajor, 0, 0)] }
            if v.patch == nil || minor != 0 { return [ge(floor), lt(0, try bump(minor, token), 0)] }
            return [ge(floor), lt(0, 0, try bump(patch, token))]
        }
    }

    private func hyphen(_ lowToken: Token, _ highToken: Token) throws(ValueError) -> [SemverComparator] {
        let low = try version(lowToken), high = try version(highToken)
        var result: [SemverComparator] = []
        if let major = low.major {
            result.append(SemverComparator(op: .greaterOrEqual, version: Version(major, low.minor ?? 0, low.patch ?? 0, pre: low.prerelease)))
        }
        guard let major = high.major else { return result }
        let pre = ["0"]
        if let minor = high.minor {
            if let patch = high.patch {
                result.append(SemverComparator(op: .lessOrEqual, version: Version(major, minor, patch, pre: high.prerelease)))
            } else {
                result.append(SemverComparator(op: .less, version: Version(major, try bump(minor, highToken), 0, pre: pre)))
            }
        } else {
            result.append(SemverComparator(op: .less, version: Version(try bump(major, highToken), 0, 0, pre: pre)))
        }
        return result
    }
}
