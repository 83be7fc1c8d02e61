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

    /// Parses text; see `parse(_:file:)` for bytes.
    public func parse(_ text: String, file: String) throws(Diagnostic) -> (root: Node?, diagnostics: [Diagnostic]) {
        try parse(Array(text.utf8), file: file)
    }
}

/// One parse: owns the libyaml handle and the partly built tree.
private final class ParseSession {
    private let bytes: [UInt8]
    private let file: String
    private let limits: YAMLParser
    private var handle = yaml_parser_t()
    private var stack: [Frame] = []
    private var anchors: [String: Node] = [:]
    private var expanded = 0
    private var root: Node?
    private var documents = 0
    private var diagnostics: [Diagnostic] = []

    /// A collection being built; mutated in place on the stack so appends never copy the items.
    private struct Frame {
        var mark: Mark
        var anchor: String?
        var items: [Node] = []
        /// Set for a mapping, nil for a sequence.
        var mapping: MappingBuilder?
    }

    init(bytes: [UInt8], file: String, parser: YAMLParser) {
        self.bytes = bytes
        self.file = file
        self.limits = parser
        yaml_parser_initialize(&handle)
    }

    deinit {
        yaml_parser_delete(&handle)
    }

    func run() throws(Diagnostic) -> (root: Node?, diagnostics: [Diagnostic]) {
        let result: Result<Void, Diagnostic> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&handle, buffer.baseAddress, buffer.count)
            do throws(Diagnostic) {
                try loop()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return (root, diagnostics)
    }

    private func loop() throws(Diagnostic) {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&handle, &event) == 1 else { throw syntaxError() }
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
                try add(Node(.scalar(scalar), mark: mark), anchor: optionalString(data.anchor))
            case YAML_ALIAS_EVENT:
                let name = optionalString(event.data.alias.anchor) ?? ""
                guard let node = anchors[name] else {
                    throw Diagnostic("alias '*\(name)' refers to no anchor defined before it", at: mark)
                }
                expanded += node.weight
                if expanded > limits.aliasExpansionLimit {
                    throw Diagnostic("aliases expand to more than \(limits.aliasExpansionLimit) nodes; refusing to expand further", at: mark)
                }
                try add(node, anchor: nil)
            case YAML_SEQUENCE_START_EVENT:
                try push(Frame(mark: mark, anchor: optionalString(event.data.sequence_start.anchor)), at: mark)
            case YAML_MAPPING_START_EVENT:
                let anchor = optionalString(event.data.mapping_start.anchor)
                try push(Frame(mark: mark, anchor: anchor, mapping: MappingBuilder(mark: mark, anchor: anchor)), at: mark)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try pop()
            default:
                break
            }
        }
    }

    private func push(_ frame: Frame, at mark: Mark) throws(Diagnostic) {
        guard stack.count < limits.depthLimit else {
            throw Diagnostic("nesting is deeper than \(limits.depthLimit) levels", at: mark)
        }
        stack.append(frame)
    }

    private func pop() throws(Diagnostic) {
        guard let frame = stack.popLast() else { return }
        if let builder = frame.mapping {
            let (node, problems) = builder.build()
            diagnostics += problems
            try add(node, anchor: frame.anchor)
        } else {
            try add(Node(.sequence(frame.items), mark: frame.mark), anchor: frame.anchor)
        }
    }

    /// Adds a finished node to the collection being built, or makes it the root.
    private func add(_ node: Node, anchor: String?) throws(Diagnostic) {
        if let anchor { anchors[anchor] = node }
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        if stack[top].mapping != nil {
            stack[top].mapping?.add(node)
        } else {
            stack[top].items.append(node)
        }
    }

    private func syntaxError() -> Diagnostic {
        let problemMark = mark(handle.problem_mark)
        var message = optionalString(handle.problem) ?? "invalid YAML"
        if let context = optionalString(handle.context) {
            message += " (\(context) at line \(handle.context_mark.line + 1), column \(handle.context_mark.column + 1))"
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
        Mark(file: file, line: Int(m.line) + 1, column: Int(m.column) + 1)
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
