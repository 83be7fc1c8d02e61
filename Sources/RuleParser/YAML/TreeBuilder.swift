/// Builds the node tree from a parse's events: anchors and aliases (with a bound), nesting depth,
/// and the collections still open. A struct held by the parse loop as a local, so its state is
/// accessed without the runtime exclusivity checks that a class's stored properties get.
///
/// With an `ItemStream`, the items of one top-level sequence go to the stream as each is complete
/// instead of into the tree, so that the whole tree never exists at once.
struct TreeBuilder {
    /// A collection being built. Its children are kept on `children`, shared by all open frames,
    /// so a collection's array is made once, at its exact size, when it closes.
    struct Frame {
        var mark: Mark
        var anchor: String?
        var isMapping: Bool
        /// Where this collection's children start in `children`.
        var start = 0
    }

    let limits: YAMLParser
    private let stream: ItemStream?
    /// The depth of the streamed sequence while it is open (its frame is `stack[streamDepth - 1]`), 0 otherwise.
    private var streamDepth = 0
    /// The key of the streamed sequence, once the sequence is complete.
    private(set) var streamedKey: Mark?
    private var stack: [Frame] = []
    /// The children of every open collection, innermost last (a mapping's keys and values alternate).
    private var children: [Node] = []
    private var anchors: [String: Node] = [:]
    private var expanded = 0
    /// True once an anchor or alias has been met: a file cut in two cannot be parsed in halves then.
    private(set) var usesAnchors = false
    /// The document's root, once its last event is in.
    private(set) var root: Node?
    /// Duplicate keys and bad merge keys found so far.
    private(set) var diagnostics: [Diagnostic] = []

    init(limits: YAMLParser, stream: ItemStream? = nil) {
        self.limits = limits
        self.stream = stream
    }

    /// Opens a sequence or mapping.
    mutating func push(_ frame: Frame) throws(Diagnostic) {
        guard stack.count < limits.depthLimit else {
            throw Diagnostic("nesting is deeper than \(limits.depthLimit) levels", at: frame.mark)
        }
        var frame = frame
        frame.start = children.count
        let streams = stack.count == 1 && !frame.isMapping && isStreamedValue(anchor: frame.anchor)
        stack.append(frame)
        if streams { streamDepth = stack.count }
    }

    /// Whether a sequence opening now, in the root collection, is the one to stream: the value of the
    /// first occurrence of the stream's key in a root mapping (a later one is a duplicate, which the
    /// mapping drops), without an anchor (an alias to it would find it empty).
    private func isStreamedValue(anchor: String?) -> Bool {
        guard let stream, streamedKey == nil, anchor == nil, stack[0].isMapping else { return false }
        let start = stack[0].start
        guard (children.count - start) % 2 == 1, children.last?.scalar?.value == stream.key else { return false }
        return !stride(from: start, to: children.count - 1, by: 2).contains { children[$0].scalar?.value == stream.key }
    }

    /// Closes the innermost open collection and adds it to its parent.
    mutating func pop() {
        if stack.count == streamDepth {
            streamDepth = 0
            // The key is the root mapping's last child so far.
            streamedKey = children.last?.mark
            stream?.end()
        }
        guard let frame = stack.popLast() else { return }
        let node: Node
        if frame.isMapping {
            let (mapping, problems) = MappingBuilder.build(children[frame.start...], mark: frame.mark)
            if !problems.isEmpty { diagnostics += problems }
            node = mapping
        } else {
            node = Node(.sequence(Array(children[frame.start...])), mark: frame.mark)
        }
        children.removeSubrange(frame.start...)
        add(node, anchor: frame.anchor)
    }

    /// Adds the node an alias names, counting what it expands to against the limit.
    mutating func alias(_ name: String, at mark: Mark) throws(Diagnostic) {
        usesAnchors = true
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
        if let anchor {
            anchors[anchor] = node
            usesAnchors = true
        }
        guard !stack.isEmpty else {
            root = node
            return
        }
        if stack.count == streamDepth, let stream {
            stream.add(node)
            return
        }
        children.append(node)
    }
}

/// Where the items of the sequence under a top-level key go when they are streamed (see
/// `YAMLParser.parse(_:file:streaming:)`).
struct ItemStream {
    /// The top-level key whose sequence is streamed (`rules` in a rules file).
    let key: String
    /// Receives each item once it is complete, in file order.
    let add: (Node) -> Void
    /// Called once the sequence is complete (not after a syntax error).
    let end: () -> Void
}
