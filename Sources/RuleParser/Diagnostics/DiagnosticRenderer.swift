/// Prints diagnostics for people (source line and caret) or for GitHub Actions annotations.
public struct DiagnosticRenderer: Sendable {
    /// The output formats `harbinger check --format` accepts.
    public enum Format: String, Sendable, CaseIterable {
        case text, github
    }

    /// The text of each file the diagnostics point into, keyed by the name in their marks.
    public let sources: [String: String]
    /// Each file's lines, split once so rendering many diagnostics stays linear.
    private let lines: [String: [Substring]]

    /// Creates a renderer over the given source texts.
    public init(sources: [String: String]) {
        self.sources = sources
        self.lines = sources.mapValues { text in
            text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        }
    }

    /// Renders one diagnostic in the given format, with a trailing newline.
    public func render(_ diagnostic: Diagnostic, format: Format) -> String {
        switch format {
        case .text: return text(diagnostic)
        case .github: return github(diagnostic)
        }
    }

    private func text(_ diagnostic: Diagnostic) -> String {
        var out = "\(diagnostic.mark): error: \(diagnostic.message)\n"
        out += excerpt(at: diagnostic.mark)
        for note in diagnostic.notes {
            out += "\(note.mark): note: \(note.message)\n"
            out += excerpt(at: note.mark)
        }
        return out
    }

    /// The source line and a caret under the column; tabs are kept so the caret lines up.
    private func excerpt(at mark: Mark) -> String {
        guard let line = sourceLine(mark) else { return "" }
        let lead = line.prefix(max(0, mark.column - 1)).map { $0 == "\t" ? "\t" : " " }
        return "    \(line)\n    \(lead.joined())^\n"
    }

    private func sourceLine(_ mark: Mark) -> Substring? {
        guard let fileLines = lines[mark.file], mark.line >= 1, mark.line <= fileLines.count else { return nil }
        return fileLines[mark.line - 1]
    }

    private func github(_ diagnostic: Diagnostic) -> String {
        let mark = diagnostic.mark
        var message = diagnostic.message
        for note in diagnostic.notes { message += "\n\(note.mark): note: \(note.message)" }
        return "::error file=\(escapeProperty(mark.file)),line=\(mark.line),col=\(mark.column)::\(escapeData(message))\n"
    }

    // GitHub's workflow-command escaping: data escapes %, CR, LF; properties also escape ':' and ','.
    private func escapeData(_ s: String) -> String {
        s.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
    }

    private func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }
}

extension String {
    /// Replaces every occurrence of `target`; a Foundation-free `replacingOccurrences`.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
