/// A problem with a value in the rules file: what is wrong and where inside the value (0-based character offset).
public struct ValueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, phrased for the person editing the rules file.
    public let message: String
    /// Where inside the value the problem is, in characters from its start.
    public let offset: Int

    /// An error with `message` at `offset` characters into the value.
    public init(_ message: String, offset: Int = 0) {
        self.message = message
        self.offset = offset
    }

    /// The message, for logs.
    public var description: String { message }
}

extension ValueError {
    /// An error at the character that starts `utf8Offset` bytes into `text`.
    ///
    /// The value parsers walk `text.utf8`; the YAML layer counts characters.
    init(_ message: String, in text: String, utf8Offset: Int) {
        let utf8 = text.utf8
        let clamped = min(max(utf8Offset, 0), utf8.count)
        let index = utf8.index(utf8.startIndex, offsetBy: clamped)
        self.init(message, offset: text.distance(from: text.startIndex, to: index))
    }
}
