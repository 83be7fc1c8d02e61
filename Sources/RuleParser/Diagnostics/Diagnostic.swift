/// An error found in a rules file: where it is and what is wrong.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    public let mark: Mark
    /// What is wrong, in one sentence without a trailing period.
    public let message: String
    /// Other places that explain this one (the first definition of a duplicate, say).
    public let notes: [Note]

    /// A secondary position attached to a diagnostic.
    public struct Note: Sendable, Hashable {
        /// Where.
        public let mark: Mark
        /// What is there.
        public let message: String

        /// Creates a note.
        public init(mark: Mark, message: String) {
            self.mark = mark
            self.message = message
        }
    }

    /// Creates a diagnostic.
    public init(_ message: String, at mark: Mark, notes: [Note] = []) {
        self.mark = mark
        self.message = message
        self.notes = notes
    }

    /// `file:line:col: error: message`.
    public var description: String { "\(mark): error: \(message)" }
}

/// One or more problems found while loading rules; the loader reports all of them at once.
public struct RulesError: Error, Sendable, CustomStringConvertible {
    /// Every problem, in file order.
    public let diagnostics: [Diagnostic]

    /// Creates the error from its diagnostics, sorted by position.
    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.mark < $1.mark }
    }

    /// One `file:line:col: error: message` line per problem.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
