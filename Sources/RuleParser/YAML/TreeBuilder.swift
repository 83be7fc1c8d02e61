/// Builds the node tree from a parse's events: anchors and aliases (with a bound), nesting depth,
/// and the collections still open. A struct held by the parse loop as a local, so its state is
/// accessed without the runtime exclusivity checks that a class's stored properties get.
struct TreeBuilder {
    /// A collection being built; mutated in place on the stack so appends never copy the items.
    struct Frame {
        var mark: Mark
        var anchor: String?
        var items: [Node] = []
        /// Set for a mapping, nil for a sequence.
        var mapping: MappingBuilder?
    }

    let limits: YAMLParser
    private var stack: [Frame] = []
    private var anchors: [String: Node] = [:]
    private var expanded = 0
    /// The document's root, once its last event is in.
    private(set) var root: Node?
    /// Duplicate keys and bad merge keys found so far.
    private(set) var diagnostics: [Diagnostic] = []

    init(limits: YAMLParser) {
        self.limits = limits
    }

    /// Opens a sequence or mapping.
    mutating func push(_ frame: Frame) throws(Diagnostic) {
        guard stack.count < limits.depthLimit else {
            throw Diagnostic("nesting is deeper than \(limits.depthLimit) levels", at: frame.mark)
        }
        stack.append(frame)
    }

    /// Closes the innermost open collection and adds it to its parent.
    mutating func pop() {
        guard let frame = stack.popLast() else { return }
        if let builder = frame.mapping {
            let (node, problems) = builder.build()
            diagnostics += problems
            add(node, anchor: frame.anchor)
        } else {
            add(Node(.sequence(frame.items), mark: frame.mark), anchor: frame.anchor)
        }
    }

    /// Adds the node an alias names, counting what it expands to against the limit.
    mutating func alias(_ name: String, at mark: Mark) throws(Diagnostic) {
        guard let node = anchors[name] else {
            throw Diagnostic("alias '*\(name)' refers to no anchor defined before it", at: mark)
        }
        expanded += node.weight
        if expanded > limits.aliasExpansionLimit {
            throw Diagnostic("aliases expand to more than \(limits.aliasExpansionLimit) nodes; refusing to expand further", at: mark)
        }
        add(node, anchor: nil)
    }

    /// Adds a finished node to the collection being built, or makes it the root.
    mutating func add(_ node: Node, anchor: String?) {
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
}
