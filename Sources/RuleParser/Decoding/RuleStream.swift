/// Decoding `rules:` items one at a time, while the parser is still reading the file.

/// Decodes each item of `rules:` as soon as the parser has completed it, so that its node subtree is
/// freed right after its rule is built. Built from the whole tree, the rules would sit between tree
/// nodes and keep those pages in use once the tree is freed; a rule needs nothing from the rest of
/// the file (source names are checked when the files are merged).
///
/// A stream decodes with a decoder of its own, whose problems the loader records after the rest of
/// the file's, where a decode of the whole tree reports them.
///
/// Items are decoded `batchSize` at a time. One at a time, the parser's and the decoder's allocations
/// alternate so finely that malloc spent 4% more instructions on a load (sorting freed chunks back
/// into its bins); a batch's subtrees take a few tens of kilobytes, so memory does not change.
final class RuleStream {
    /// The decoder the rules are decoded with.
    let decoder: NodeDecoder
    /// The rules decoded so far, in file order.
    private(set) var rules: [Rule] = []
    /// The `when.source` names met so far, in file order.
    private(set) var sourceReferences: [(name: String, mark: Mark)] = []
    /// True once a problem was reported in a rule named by its position (`rule #N`) rather than by its
    /// name: a stream that does not start at the first item got that position wrong.
    private(set) var reportedByPosition = false
    private var count = 0
    /// Items complete but not decoded yet.
    private var pending: [Node] = []
    /// How many items are decoded together.
    static let batchSize = 16

    /// Creates a stream decoding with `decoder`.
    init(decoder: NodeDecoder) {
        self.decoder = decoder
    }

    /// The stream to hand the parser.
    var items: ItemStream {
        ItemStream(key: "rules", add: { [self] item in add(item) }, end: { [self] in decodePending() })
    }

    /// Takes one item of `rules:`, decoding it with the next few.
    func add(_ item: Node) {
        if pending.isEmpty { pending.reserveCapacity(Self.batchSize) }
        pending.append(item)
        if pending.count == Self.batchSize { decodePending() }
    }

    /// Decodes the items taken so far.
    func decodePending() {
        for item in pending { decode(item) }
        pending.removeAll(keepingCapacity: true)
    }

    private func decode(_ item: Node) {
        let before = decoder.diagnostics.count
        if let rule = decoder.rule(item, index: count, sourceReferences: &sourceReferences) { rules.append(rule) }
        if decoder.diagnostics.count != before, NodeDecoder.readableName(item) == nil { reportedByPosition = true }
        count += 1
    }
}
