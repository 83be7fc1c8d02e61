/// One node of a parsed YAML document, with the position it came from.
public struct Node: Sendable {
    /// What the node holds.
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([Node])
        case mapping([MappingEntry])
    }

    /// The node's value.
    public let content: Content
    /// Where the node starts.
    public let mark: Mark
    /// How many nodes this subtree holds, itself included (used to bound alias expansion).
    public var weight: Int { Int(storedWeight) }
    private let storedWeight: UInt32

    /// Creates a node; `weight` is computed from the children.
    public init(_ content: Content, mark: Mark) {
        self.content = content
        self.mark = mark
        // Saturating: an alias-heavy file past 4 billion nodes is refused by the expansion limit anyway.
        let weight: UInt64 = switch content {
        case .scalar: 1
        case .sequence(let items): items.reduce(1) { $0 + UInt64($1.storedWeight) }
        case .mapping(let entries): entries.reduce(1) { $0 + UInt64($1.key.storedWeight) + UInt64($1.value.storedWeight) }
        }
        storedWeight = UInt32(clamping: weight)
    }

    /// A word for the node's kind, for error messages: "a string", "a sequence", "a mapping", "null".
    public var kindDescription: String {
        switch content {
        case .scalar(let scalar): return scalar.isNull ? "null" : "a scalar"
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        }
    }

    /// The scalar, when the node is one.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }
}

/// A key and its value in a mapping.
public struct MappingEntry: Sendable {
    /// The key node (a scalar in every valid rules file).
    public let key: Node
    /// The value node.
    public let value: Node
}

/// A scalar's text and the style it was written in.
public struct Scalar: Sendable, Hashable {
    /// How the scalar was written in the file.
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// The scalar's text, after YAML unescaping and folding.
    public let value: String
    /// How it was written.
    public let style: Style
    /// An explicit tag such as `!!str`, if one was given.
    public var tag: String? { storedTag?.text }
    /// Tags are rare in rules files: kept out of line so a scalar stays small.
    private let storedTag: Tag?

    /// Creates a scalar.
    public init(value: String, style: Style, tag: String? = nil) {
        self.value = value
        self.style = style
        storedTag = tag.map(Tag.init)
    }

    private final class Tag: Sendable, Hashable {
        let text: String

        init(_ text: String) {
            self.text = text
        }

        static func == (lhs: Tag, rhs: Tag) -> Bool { lhs.text == rhs.text }
        func hash(into hasher: inout Hasher) { hasher.combine(text) }
    }

    /// True for an unquoted `null`, `~` or empty value (YAML's null), unless tagged otherwise.
    public var isNull: Bool {
        guard style == .plain, tag == nil else { return tag == "tag:yaml.org,2002:null" }
        return value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL"
    }

    /// The column offset of the text's first character from the node's mark (1 for quoted scalars).
    var contentOffset: Int {
        switch style {
        case .singleQuoted, .doubleQuoted: return 1
        default: return 0
        }
    }
}
