/// Collects a mapping's entries as they are parsed: duplicate keys and YAML 1.1 merge keys (`<<`).
struct MappingBuilder {
    let mark: Mark
    let anchor: String?
    private var entries: [MappingEntry] = []
    /// Each entry's key text (nil for a key that is not a scalar), so scans compare strings
    /// without copying nodes.
    private var keyTexts: [String?] = []
    private var pendingKey: Node?
    /// The scalar keys seen so far, by text, for mappings too long for a linear scan (see `firstMark`).
    private var firstSeen: [String: Mark] = [:]
    private var merges: [Node] = []
    private var problems: [Diagnostic] = []

    init(mark: Mark, anchor: String?) {
        self.mark = mark
        self.anchor = anchor
    }

    /// Adds the next node: a key, or the value of the pending key.
    mutating func add(_ node: Node) {
        guard let key = pendingKey.take() else {
            pendingKey = node
            return
        }
        let scalar = key.scalar
        if let scalar, scalar.style == .plain, scalar.tag == nil, scalar.value == "<<" {
            merge(node, at: key.mark)
            return
        }
        if let text = scalar?.value {
            if let first = firstMark(of: text) {
                problems.append(Diagnostic(
                    "duplicate key '\(text)'", at: key.mark,
                    notes: [.init(mark: first, message: "'\(text)' is first defined here")]))
                return
            }
            if !firstSeen.isEmpty || entries.count >= Self.linearScanLimit {
                indexKeys()
                firstSeen[text] = key.mark
            }
        }
        entries.append(MappingEntry(key: key, value: node))
        keyTexts.append(scalar?.value)
    }

    /// Up to this many entries, duplicates are found by scanning `entries`: rules files are made of
    /// small mappings, and a dictionary per mapping costs more than comparing a few short strings.
    /// Longer mappings switch to `firstSeen`, so a huge mapping is not quadratic.
    private static let linearScanLimit = 16

    /// Where the scalar key `text` was first defined in this mapping, if it was.
    private func firstMark(of text: String) -> Mark? {
        if !firstSeen.isEmpty { return firstSeen[text] }
        return keyTexts.firstIndex(of: text).map { entries[$0].key.mark }
    }

    /// Fills `firstSeen` from the entries so far, when the mapping outgrows the linear scan.
    private mutating func indexKeys() {
        guard firstSeen.isEmpty else { return }
        for (index, text) in keyTexts.enumerated() {
            if let text { firstSeen[text] = entries[index].key.mark }
        }
    }

    private mutating func merge(_ node: Node, at mark: Mark) {
        switch node.content {
        case .mapping:
            merges.append(node)
        case .sequence(let items) where items.allSatisfy({ if case .mapping = $0.content { true } else { false } }):
            merges += items
        default:
            problems.append(Diagnostic("the merge key '<<' takes a mapping or a sequence of mappings", at: mark))
        }
    }

    /// The finished mapping: explicit keys first, then merged keys they do not override
    /// (earlier merged mappings win over later ones, as YAML 1.1 says).
    func build() -> (Node, [Diagnostic]) {
        var all = entries
        guard !merges.isEmpty else { return (Node(.mapping(all), mark: mark), problems) }
        var seen = Set(keyTexts.compactMap { $0 })
        for source in merges {
            guard case .mapping(let merged) = source.content else { continue }
            for entry in merged {
                guard let key = entry.key.scalar?.value else { continue }
                if seen.insert(key).inserted { all.append(entry) }
            }
        }
        return (Node(.mapping(all), mark: mark), problems)
    }
}
