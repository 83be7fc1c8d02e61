/// A `{{...}}` Mustache template over the canonical event, checked when the rules load.
import Mustache
import Synchronization

/// A template string, checked once. Rendering happens per delivery, in the Router and Runner.
///
/// Most templates are plain substitutions (`{{repository}}`, `{{{image}}}`): those are checked by a
/// scan of their tags when the rules load and parsed by Mustache only when first rendered, since a
/// large rules file holds thousands of distinct ones and most are never rendered by a given server.
/// Anything else (sections, partials, comments, delimiter changes, malformed tags) is parsed when the
/// rules load, so every syntax error is still reported by `check`.
public struct Template: Sendable, CustomStringConvertible {
    /// The template as written (after `${NAME}` substitution).
    public let text: String
    /// The parsed template, or the means to parse it on first use; nil for constant text.
    private let parsed: Parsed?

    /// True when the text has no `{{`: it renders to itself. Derived rather than stored: a template
    /// is then 24 bytes, not 32, and a server holds several per rule (headers, env, argv).
    public var isConstant: Bool { parsed == nil }

    /// The parsed template (nil for constant text); values are inserted without HTML escaping.
    public var compiled: MustacheTemplate? { parsed?.template(of: text) }

    /// The fields of the canonical event a template may name at its top level.
    public static let fields: [String] = [
        "id", "source", "source_name", "type", "registry", "namespace", "repository", "tag", "digest",
        "media_type", "artifact", "size", "actor", "occurred_at", "image", "scan", "callback_url",
    ]

    private static let pragma = "{{%CONTENT_TYPE:TEXT}}"

    /// Parses `text`; a syntax error or an unknown top-level variable is a `ValueError`.
    public init(_ text: String) throws(ValueError) {
        self.text = text
        // Most values (header values, paths, hosts) hold no tag: no Mustache parse for them.
        if !text.includes("{{") {
            parsed = nil
            return
        }
        if Self.isPlainSubstitution(text) {
            parsed = Parsed(nil)
        } else {
            do {
                parsed = Parsed(try MustacheTemplate(string: Self.pragma + text))
            } catch let error as MustacheTemplate.ParserError {
                let context = error.context
                let onFirstLine = context.lineNumber == 1
                let column = max(0, context.columnNumber - 1 - (onFirstLine ? Self.pragma.count : 0))
                let offset = Self.offset(ofLine: context.lineNumber, column: column, in: text)
                throw ValueError("invalid template: \(Self.describe(error.error))", offset: offset)
            } catch {
                throw ValueError("invalid template: \(error)")
            }
        }
        try Self.checkVariables(text)
    }

    /// A parsed Mustache template shared by the copies of one `Template`; a plain substitution is
    /// parsed from the template's text on first use.
    private final class Parsed: Sendable {
        private let state: Mutex<MustacheTemplate?>

        init(_ template: MustacheTemplate?) {
            state = Mutex(template)
        }

        /// The template parsed from `text`, the owning template's text, on the first call.
        func template(of text: String) -> MustacheTemplate? {
            state.withLock { template in
                if template == nil { template = try? MustacheTemplate(string: Template.pragma + text) }
                return template
            }
        }
    }

    /// True when every tag is a variable, `{{name}}`, `{{{name}}}` or `{{&name}}`, whose name is
    /// dotted words of letters, digits, `_` and `-`: such a text always parses, so Mustache can wait.
    static func isPlainSubstitution(_ text: String) -> Bool {
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            var close = "}}"
            if rest.first == "{" {
                rest = rest.dropFirst()
                close = "}}}"
            } else if rest.first == "&" {
                rest = rest.dropFirst()
            }
            guard let end = rest.range(of: close) else { return false }
            let name = rest[..<end.lowerBound].trimmingWhitespace()
            let words = name.split(separator: ".", omittingEmptySubsequences: false)
            guard words.allSatisfy(isWord) else { return false }
            rest = rest[end.upperBound...]
        }
        return true
    }

    private static func isWord(_ word: Substring) -> Bool {
        guard let first = word.utf8.first, first != UInt8(ascii: "-"), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return word.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    public var description: String { text }

    private static func describe(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
        case .unfinishedName: "a '{{' tag is not closed with '}}'"
        case .expectedSectionEnd: "a section is not closed"
        case .invalidSetDelimiter: "invalid delimiter change"
        default: "\(error)"
        }
    }

    private static func offset(ofLine line: Int, column: Int, in text: String) -> Int {
        var remaining = line - 1
        var offset = 0
        for character in text {
            if remaining == 0 { break }
            offset += 1
            if character == "\n" { remaining -= 1 }
        }
        return offset + column
    }

    /// Names used outside any section must be canonical event fields (`{{repo}}` is a typo).
    private static func checkVariables(_ text: String) throws(ValueError) {
        var depth = 0
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else { return }
            var tag = afterOpen[..<close.lowerBound].trimmingWhitespace()
            let offset = text.distance(from: text.startIndex, to: open.lowerBound)
            rest = afterOpen[close.upperBound...]
            guard let sigil = tag.first else { continue }
            switch sigil {
            case "!", "%", "=", ">", "<", "$": continue
            case "/": depth -= 1; continue
            case "#", "^":
                tag = tag.dropFirst().trimmingWhitespace()
                defer { depth += 1 }
                try check(tag, depth: depth, offset: offset)
            case "{", "&":
                try check(tag.dropFirst().trimmingWhitespace().trimmingSuffix("}"), depth: depth, offset: offset)
            default:
                try check(tag, depth: depth, offset: offset)
            }
        }
    }

    private static func check(_ name: Substring, depth: Int, offset: Int) throws(ValueError) {
        guard depth == 0, name != "." else { return }
        let root = String(name.prefix { $0 != "." && $0 != "(" && $0 != " " })
        guard !fields.contains(root) else { return }
        throw ValueError("unknown template variable '\(root)'\(Suggestion.didYouMean(root, in: fields))", offset: offset)
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return s
    }

    func trimmingSuffix(_ suffix: Character) -> Substring {
        last == suffix ? dropLast().trimmingWhitespace() : self
    }
}

extension NodeDecoder {
    /// A template value; errors point into the scalar where they can.
    public func template(_ node: Node, _ what: @autoclosure () -> String) -> Template? {
        compiled(node, what(), \.templateCache, Template.init)
    }
}
