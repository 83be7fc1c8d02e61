/// Reads typed values out of nodes, collecting every problem instead of stopping at the first.
///
/// The `what` arguments name a value for error messages ("url in http action in rule 'deploy'").
/// Most are autoclosures: a valid file needs none of them, and building them all took a large share
/// of a load.
public final class NodeDecoder {
    /// Every problem found so far.
    public private(set) var diagnostics: [Diagnostic] = []
    /// Secret values met while decoding (secret fields, and variables named like secrets), to mask in output.
    public internal(set) var sensitiveValues: Set<String> = []
    /// Templates already parsed in this load, by text: rules files repeat the same few templates.
    var templateCache: [String: Template] = [:]
    /// Globs already compiled in this load, by pattern; like templates, patterns recur across rules.
    var globCache: [String: Glob] = [:]
    /// Semver ranges already parsed in this load, by text.
    var semverCache: [String: SemverRange] = [:]
    /// Regexes already compiled in this load, by pattern.
    var regexCache: [String: RegexPattern] = [:]
    /// Whole `when` patterns already built in this load, by their alternatives' texts: rules share
    /// one list then, which a server keeps for each of thousands of matchers.
    var patternCache: [String: StringPattern] = [:]
    /// Whether a long rule list may be decoded on two threads.
    var parallelDecoding = true
    /// The variables `${NAME}` is replaced from.
    let environment: [String: String]
    /// Reads the file behind a `_file` secret; relative paths are relative to the rules file.
    let readFile: @Sendable (_ path: String, _ relativeTo: String) -> String?

    /// Creates a decoder over an environment and a file reader for `_file` secrets.
    public init(
        environment: [String: String],
        readFile: @escaping @Sendable (_ path: String, _ relativeTo: String) -> String? = { _, _ in nil }
    ) {
        self.environment = environment
        self.readFile = readFile
    }

    /// Records a problem.
    public func error(_ message: String, at mark: Mark, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(message, at: mark, notes: notes))
    }

    /// Records problems found elsewhere (by the YAML parser, say).
    public func record(_ problems: [Diagnostic]) {
        diagnostics += problems
    }

    /// Reads a mapping whose keys must all be in `keys`; reports unknown keys with a suggestion.
    /// Secret keys (in `secrets`) also accept their `_file` form.
    public func fields(_ node: Node, _ what: String, keys: [String], secrets: [String] = []) -> Fields? {
        guard case .mapping(let entries) = node.content else {
            error("\(what) must be a mapping, found \(node.kindDescription)", at: node.mark)
            return nil
        }
        // The allowed keys are checked in place; the combined list is built only to suggest a spelling.
        func isAllowed(_ key: String) -> Bool {
            keys.contains(key) || secrets.contains(key) || secrets.contains { key == $0 + "_file" }
        }
        var names: [String] = []
        names.reserveCapacity(entries.count)
        // Indexes of the entries kept, only once one is dropped: usually every key is allowed, and
        // the mapping's own entries are used as they are.
        var kept: [Int]?
        var suggested: Set<String> = []
        for index in entries.indices {
            let key: String
            if case .scalar(let scalar) = entries[index].key.content {
                key = scalar.value
            } else {
                let node = entries[index].key
                error("keys in \(what) must be plain names, found \(node.kindDescription)", at: node.mark)
                if kept == nil { kept = Array(0..<index) }
                continue
            }
            guard isAllowed(key) else {
                let allowed = keys + secrets + secrets.map { $0 + "_file" }
                let suggestion = Suggestion.closest(to: key, in: allowed)
                if let suggestion { suggested.insert(suggestion) }
                error("unknown key '\(key)' in \(what)\(suggestion.map { "; did you mean '\($0)'?" } ?? "")", at: entries[index].key.mark)
                if kept == nil { kept = Array(0..<index) }
                continue
            }
            kept?.append(index)
            names.append(key)
        }
        let values = kept.map { $0.map { entries[$0] } } ?? entries
        return Fields(node: node, what: what, entries: values, names: names, misspelt: suggested)
    }

    /// The value of a required key, or an error at the mapping if it is missing.
    public func required(_ fields: Fields, _ key: String) -> Node? {
        guard let node = fields[key] else {
            // A misspelling of this key was already reported with a suggestion; once is enough.
            if fields.misspelt.contains(key) { return nil }
            error("missing required key '\(key)' in \(fields.what)", at: fields.node.mark)
            return nil
        }
        return node
    }

    /// A string value with `${NAME}` substituted. Null and collections are errors.
    public func string(_ node: Node, _ what: @autoclosure () -> String) -> String? {
        guard let scalar = node.scalar, !scalar.isNull else {
            error("\(what()) must be a string, found \(node.kindDescription)", at: node.mark)
            return nil
        }
        return substitute(scalar, at: node.mark)
    }

    /// A non-empty string value.
    public func nonEmptyString(_ node: Node, _ what: @autoclosure () -> String) -> String? {
        guard let value = string(node, what()) else { return nil }
        guard !value.isEmpty else {
            error("\(what()) must not be empty", at: node.mark)
            return nil
        }
        return value
    }

    /// `true` or `false`; YAML 1.1's yes/no/on/off are not booleans here.
    public func bool(_ node: Node, _ what: @autoclosure () -> String) -> Bool? {
        guard let scalar = node.scalar, !scalar.isNull else {
            error("\(what()) must be true or false, found \(node.kindDescription)", at: node.mark)
            return nil
        }
        switch substitute(scalar, at: node.mark) {
        case "true": return true
        case "false": return false
        case nil: return nil
        case let value?:
            error("\(what()) must be true or false, found '\(value)'", at: node.mark)
            return nil
        }
    }

    /// A whole number within `range`.
    public func int(_ node: Node, _ what: @autoclosure () -> String, in range: ClosedRange<Int> = 0...Int.max) -> Int? {
        guard let text = string(node, what()) else { return nil }
        guard let value = Int(text) else {
            error("\(what()) must be a whole number, found '\(text)'", at: node.mark)
            return nil
        }
        guard range.contains(value) else {
            let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            error("\(what()) must be \(bound), found \(value)", at: node.mark)
            return nil
        }
        return value
    }

    /// A duration such as `500ms`, `2s`, `10m`, `1h`.
    public func duration(_ node: Node, _ what: @autoclosure () -> String) -> Duration? {
        parsed(node, what()) { text throws(ValueError) in try parseDuration(text) }
    }

    /// A byte size such as `512KiB` or `1GB`.
    public func size(_ node: Node, _ what: @autoclosure () -> String) -> ByteSize? {
        parsed(node, what()) { text throws(ValueError) in try ByteSize(parsing: text) }
    }

    /// A value parsed from a string; a `ValueError` is reported at its offset inside the scalar.
    public func parsed<T>(_ node: Node, _ what: @autoclosure () -> String, _ parse: (String) throws(ValueError) -> T) -> T? {
        guard let text = string(node, what()) else { return nil }
        do {
            return try parse(text)
        } catch {
            self.error("\(what()): \(error.message)", at: mark(in: node, offset: error.offset, text: text))
            return nil
        }
    }

    /// A value compiled from a string (a template, glob, range or regex), remembered in `cache` by text.
    /// Compiled values are immutable, so rules that write the same text share one; failures are not
    /// remembered, so each occurrence is reported.
    func compiled<T>(_ node: Node, _ what: @autoclosure () -> String, _ cache: ReferenceWritableKeyPath<NodeDecoder, [String: T]>,
                     _ compile: (String) throws(ValueError) -> T) -> T? {
        parsed(node, what()) { text throws(ValueError) in
            if let value = self[keyPath: cache][text] { return value }
            let value = try compile(text)
            self[keyPath: cache][text] = value
            return value
        }
    }

    /// A sequence of items; a single item is accepted as a one-item list when `single` is true.
    public func list(_ node: Node, _ what: @autoclosure () -> String, allowSingle: Bool = true) -> [Node]? {
        switch node.content {
        case .sequence(let items): return items
        case .scalar(let scalar) where allowSingle && !scalar.isNull: return [node]
        case .mapping where allowSingle: return [node]
        default:
            error("\(what()) must be a list, found \(node.kindDescription)", at: node.mark)
            return nil
        }
    }

    /// A mapping of strings to strings (headers, environment variables).
    public func stringMap(_ node: Node, _ what: @autoclosure () -> String) -> [(key: String, value: String)]? {
        guard case .mapping(let entries) = node.content else {
            error("\(what()) must be a mapping, found \(node.kindDescription)", at: node.mark)
            return nil
        }
        var out: [(key: String, value: String)] = []
        for entry in entries {
            guard let key = entry.key.scalar?.value, let value = string(entry.value, "\(what()).\(entry.key.scalar?.value ?? "?")") else { continue }
            out.append((key, value))
        }
        return out
    }

    /// The position of `offset` characters into a scalar's text, when the text sits on one line.
    func mark(in node: Node, offset: Int, text: String) -> Mark {
        guard let scalar = node.scalar, !text.includes("\n"),
              scalar.style == .plain || scalar.style == .singleQuoted || scalar.style == .doubleQuoted,
              scalar.value == text
        else { return node.mark }
        return node.mark.advanced(by: scalar.contentOffset + offset)
    }
}

/// A mapping's entries by key, read through `NodeDecoder.fields`.
public struct Fields: Sendable {
    /// The mapping node itself.
    public let node: Node
    /// What the mapping is, for messages ("rule 'deploy'").
    public let what: String
    /// The allowed entries, in mapping order; their keys are unique (the YAML layer drops duplicates).
    /// A handful of entries is searched faster than a dictionary is built, hence arrays.
    let entries: [MappingEntry]
    /// The entries' keys, in the same order: lookups compare these strings without copying nodes.
    let names: [String]
    /// Required keys an unknown key was reported as a likely misspelling of.
    var misspelt: Set<String> = []

    /// The value of `key`, if present.
    public subscript(key: String) -> Node? { entry(key)?.value }

    /// The position of `key` itself, if present.
    public func keyMark(_ key: String) -> Mark? { entry(key)?.key.mark }

    /// The keys present, in file order.
    public var keys: [String] {
        entries.indices.sorted { entries[$0].key.mark < entries[$1].key.mark }.map { names[$0] }
    }

    private func entry(_ key: String) -> MappingEntry? {
        names.firstIndex(of: key).map { entries[$0] }
    }
}

extension Collection {
    /// `compactMap` with room for `count` results reserved first. The arrays a rules file decodes to
    /// live as long as the server, and one grown by appending keeps up to twice the room it needs.
    func compactMapToFit<T>(_ transform: (Element) -> T?) -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self {
            if let value = transform(element) { result.append(value) }
        }
        return result
    }
}
