/// Collects a mapping's entries as they are parsed: duplicate keys and YAML 1.1 merge keys (`<<`).
struct MappingBuilder {
    let mark: Mark
    let anchor: String?
    private var entries: [MappingEntry] = []
    private var pendingKey: Node?
    private var firstSeen: [String: Mark] = [:]
    private var merges: [Node] = []
    private var problems: [Diagnostic] = []

    init(mark: Mark, anchor: String?) {
        self.mark = mark
        self.anchor = anchor
    }

    /// Adds the next node: a key, or the value of the pending key.
    mutating func add(_ node: Node) {
        guard let key = pendingKey else {
            pendingKey = node
            return
        }
        pendingKey = nil
        if let scalar = key.scalar, scalar.style == .plain, scalar.tag == nil, scalar.value == "<<" {
            merge(node, at: key.mark)
            return
        }
        if let scalar = key.scalar {
            if let first = firstSeen[scalar.value] {
                problems.append(Diagnostic(
                    "duplicate key '\(scalar.value)'", at: key.mark,
                    notes: [.init(mark: first, message: "'\(scalar.value)' is first defined here")]))
                return
            }
            firstSeen[scalar.value] = key.mark
        }
        entries.append(MappingEntry(key: key, value: node))
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
        var seen = Set(firstSeen.keys)
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
