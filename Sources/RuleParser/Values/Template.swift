/// A `{{...}}` Mustache template over the canonical event, checked when the rules load.
import Mustache

/// A template string, parsed once. Rendering happens per delivery, in the Router and Runner.
public struct Template: Sendable, CustomStringConvertible {
    /// The template as written (after `${NAME}` substitution).
    public let text: String
    /// The parsed template (nil for constant text); values are inserted without HTML escaping.
    public let compiled: MustacheTemplate?
    /// True when the text has no `{{`: it renders to itself.
    public let isConstant: Bool

    /// The fields of the canonical event a template may name at its top level.
    public static let fields: [String] = [
        "id", "source", "source_name", "type", "registry", "namespace", "repository", "tag", "digest",
        "media_type", "artifact", "size", "actor", "occurred_at", "image", "scan", "callback_url",
    ]

    private static let pragma = "{{%CONTENT_TYPE:TEXT}}"

    /// Parses `text`; a syntax error or an unknown top-level variable is a `ValueError`.
    public init(_ text: String) throws(ValueError) {
        self.text = text
        isConstant = !text.includes("{{")
        // Most values (header values, paths, hosts) hold no tag: no Mustache parse for them.
        if isConstant {
            compiled = nil
            return
        }
        do {
            compiled = try MustacheTemplate(string: Self.pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let context = error.context
            let onFirstLine = context.lineNumber == 1
            let column = max(0, context.columnNumber - 1 - (onFirstLine ? Self.pragma.count : 0))
            let offset = Self.offset(ofLine: context.lineNumber, column: column, in: text)
            throw ValueError("invalid template: \(Self.describe(error.error))", offset: offset)
        } catch {
            throw ValueError("invalid template: \(error)")
        }
        try Self.checkVariables(text)
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
