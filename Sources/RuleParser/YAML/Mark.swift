/// A position in a rules file: 1-based line and column, as every error message prints it.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file the position is in, as the user named it.
    public let file: String
    /// The 1-based line.
    public let line: Int
    /// The 1-based column, counted in characters.
    public let column: Int

    /// Creates a mark from 1-based coordinates.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The same position `offset` characters further along the line.
    public func advanced(by offset: Int) -> Mark {
        Mark(file: file, line: line, column: column + offset)
    }

    /// `file:line:col`.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
