/// A regular expression matched against the whole string, compiled once when the rules load.
public struct RegexPattern: @unchecked Sendable, CustomStringConvertible {
    // Regex<AnyRegexOutput> is immutable after construction; matching does not mutate it.
    private let regex: Regex<AnyRegexOutput>
    /// The pattern as written.
    public let pattern: String

    /// Compiles `pattern`; a syntax error is a `ValueError`.
    public init(_ pattern: String) throws(ValueError) {
        do {
            regex = try Regex(pattern)
        } catch {
            throw ValueError("invalid regex: \(error)")
        }
        self.pattern = pattern
    }

    /// True when the regex matches all of `text` (patterns are anchored, as in Alertmanager).
    public func matches(_ text: String) -> Bool {
        (try? regex.wholeMatch(in: text)) != nil
    }

    public var description: String { pattern }
}
