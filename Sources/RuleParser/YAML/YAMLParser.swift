/// Parses YAML text into a `Node` tree with marks, on libyaml's event API.
internal import CYAML

/// Turns YAML text into nodes: anchors and aliases resolved (with a bound), merge keys applied,
/// duplicate keys reported. libyaml's own syntax errors come back at libyaml's problem mark.
public struct YAMLParser: Sendable {
    /// The most nodes that alias expansion may add to one document before it is refused.
    public var aliasExpansionLimit = 100_000
    /// The deepest nesting of sequences and mappings accepted.
    public var depthLimit = 256

    /// Creates a parser with the default limits.
    public init() {}

    /// The document's root (nil for an empty document) and every non-fatal problem found.
    /// A syntax error ends the parse and is thrown.
    public func parse(_ bytes: [UInt8], file: String) throws(Diagnostic) -> (root: Node?, diagnostics: [Diagnostic]) {
        let session = ParseSession(bytes: bytes, file: file, parser: self)
        return try session.run()
    }

    /// Like `parse(_:file:)`, but hands each item of the sequence under the top-level key `stream.key` to
    /// `stream.add` as soon as the item is complete, instead of keeping it: that sequence is empty in
    /// the returned root. `streamed` is false, and the tree whole, when the file has no such sequence,
    /// or it is an alias or carries an anchor. An item's own anchors and aliases work as in a whole
    /// parse. The stream may have received items when a syntax error is thrown.
    func parse(_ bytes: [UInt8], file: String, streaming stream: ItemStream) throws(Diagnostic)
        -> (root: Node?, diagnostics: [Diagnostic], streamed: Bool) {
        let outcome = try ParseSession(bytes: bytes, file: file, parser: self, stream: stream).outcome()
        return (outcome.root, outcome.diagnostics, outcome.streamedKey != nil)
    }

    /// Parses text; see `parse(_:file:)` for bytes.
    public func parse(_ text: String, file: String) throws(Diagnostic) -> (root: Node?, diagnostics: [Diagnostic]) {
        try parse(Array(text.utf8), file: file)
    }
}

/// One parse: owns the libyaml handle and turns its events into a `TreeBuilder`'s calls.
final class ParseSession {
    private let bytes: [UInt8]
    private let fileID: UInt32
    /// Added to libyaml's line numbers: non-zero when the bytes are the second half of a file.
    private let lineOffset: Int
    private let limits: YAMLParser
    private let stream: ItemStream?
    /// Allocated once: a `let` pointer needs no exclusivity checks on each of the hundreds of
    /// thousands of events, as a `var` property of a class would.
    private let handle = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)

    init(bytes: [UInt8], file: String, parser: YAMLParser, lineOffset: Int = 0, stream: ItemStream? = nil) {
        self.bytes = bytes
        self.lineOffset = lineOffset
        self.stream = stream
        fileID = FileNames.shared.id(file)
        self.limits = parser
        handle.initialize(to: yaml_parser_t())
        yaml_parser_initialize(handle)
    }

    deinit {
        yaml_parser_delete(handle)
        handle.deinitialize(count: 1)
        handle.deallocate()
    }

    /// What a parse produced.
    struct Outcome {
        var root: Node?
        var diagnostics: [Diagnostic]
        /// Whether the text used anchors or aliases.
        var usesAnchors: Bool
        /// The key whose sequence went to the stream, if one did.
        var streamedKey: Mark?
    }

    func run() throws(Diagnostic) -> (root: Node?, diagnostics: [Diagnostic]) {
        let outcome = try outcome()
        return (outcome.root, outcome.diagnostics)
    }

    /// Parses the text.
    func outcome() throws(Diagnostic) -> Outcome {
        var tree = TreeBuilder(limits: limits, stream: stream)
        let result: Result<Void, Diagnostic> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(handle, buffer.baseAddress, buffer.count)
            do throws(Diagnostic) {
                try loop(&tree)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return Outcome(root: tree.root, diagnostics: tree.diagnostics, usesAnchors: tree.usesAnchors, streamedKey: tree.streamedKey)
    }

    private func loop(_ tree: inout TreeBuilder) throws(Diagnostic) {
        var event = yaml_event_t()
        var documents = 0
        while true {
            guard yaml_parser_parse(handle, &event) == 1 else { throw syntaxError() }
            defer { yaml_event_delete(&event) }
            let mark = self.mark(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw Diagnostic("a rules file holds one YAML document; a second one starts here", at: mark)
                }
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                let value = string(data.value, length: data.length)
                let scalar = Scalar(value: value, style: style(data.style), tag: optionalString(data.tag))
                tree.add(Node(.scalar(scalar), mark: mark), anchor: optionalString(data.anchor))
            case YAML_ALIAS_EVENT:
                try tree.alias(optionalString(event.data.alias.anchor) ?? "", at: mark)
            case YAML_SEQUENCE_START_EVENT:
                try tree.push(TreeBuilder.Frame(mark: mark, anchor: optionalString(event.data.sequence_start.anchor), isMapping: false))
            case YAML_MAPPING_START_EVENT:
                try tree.push(TreeBuilder.Frame(mark: mark, anchor: optionalString(event.data.mapping_start.anchor), isMapping: true))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                tree.pop()
            default:
                break
            }
        }
    }

    private func syntaxError() -> Diagnostic {
        let problemMark = mark(handle.pointee.problem_mark)
        var message = optionalString(handle.pointee.problem) ?? "invalid YAML"
        if let context = optionalString(handle.pointee.context) {
            message += " (\(context) at line \(handle.pointee.context_mark.line + 1), column \(handle.pointee.context_mark.column + 1))"
        }
        if character(at: problemMark) == "\t" || message.contains("tab") {
            message = "tab characters are not allowed for indentation; indent with spaces"
        }
        return Diagnostic(message, at: problemMark)
    }

    private func character(at mark: Mark) -> Character? {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: mark.line, omittingEmptySubsequences: false)
        guard mark.line - 1 < lines.count else { return nil }
        let line = lines[mark.line - 1]
        guard mark.column - 1 < line.count, mark.column >= 1 else { return nil }
        return line[line.index(line.startIndex, offsetBy: mark.column - 1)]
    }

    private func mark(_ m: yaml_mark_t) -> Mark {
        Mark(fileID: fileID, line: Int(m.line) + 1 + lineOffset, column: Int(m.column) + 1)
    }

    private func style(_ s: yaml_scalar_style_t) -> Scalar.Style {
        switch s {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
