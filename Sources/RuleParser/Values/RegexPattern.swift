/// A regular expression matched against the whole string, compiled once when the rules load.
public struct RegexPattern: Sendable, CustomStringConvertible {
    /// Held by reference: copying a pattern then copies a pointer, not a generic Regex value.
    private final class Box: @unchecked Sendable {
        // Regex<AnyRegexOutput> is immutable after construction; matching does not mutate it.
        let regex: Regex<AnyRegexOutput>
        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }

    private let box: Box
    /// The pattern as written.
    public let pattern: String

    /// Compiles `pattern`; a syntax error is a `ValueError`.
    public init(_ pattern: String) throws(ValueError) {
        do {
            box = Box(try Regex(pattern))
        } catch {
            throw ValueError("invalid regex: \(error)")
        }
        self.pattern = pattern
    }

    /// True when the regex matches all of `text` (patterns are anchored, as in Alertmanager).
    public func matches(_ text: String) -> Bool {
        (try? box.regex.wholeMatch(in: text)) != nil
    }

    public var description: String { pattern }
}
