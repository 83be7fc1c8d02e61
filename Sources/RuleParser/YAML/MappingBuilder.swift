/// Builds a mapping from its parsed keys and values: duplicate keys and YAML 1.1 merge keys (`<<`).
enum MappingBuilder {
    /// Up to this many entries, duplicates are found by scanning the entries: rules files are made of
    /// small mappings, and a dictionary per mapping costs more than comparing a few short strings.
    /// Longer mappings switch to a dictionary, so a huge mapping is not quadratic.
    static let linearScanLimit = 16

    /// The mapping whose keys and values, alternating in parse order, are `items`: explicit keys
    /// first, then merged keys they do not override (earlier merged mappings win over later ones, as
    /// YAML 1.1 says). A repeated key is reported and its later value dropped.
    static func build(_ items: ArraySlice<Node>, mark: Mark) -> (Node, [Diagnostic]) {
        var entries: [MappingEntry] = []
        entries.reserveCapacity(items.count / 2)
        var firstSeen: [String: Mark] = [:]
        var merges: [Node] = []
        var problems: [Diagnostic] = []
        var index = items.startIndex
        while index + 1 < items.endIndex {
            let key = items[index]
            let value = items[index + 1]
            index += 2
            guard case .scalar(let scalar) = key.content else {
                entries.append(MappingEntry(key: key, value: value))
                continue
            }
            if scalar.style == .plain, scalar.tag == nil, scalar.value == "<<" {
                merge(value, at: key.mark, into: &merges, problems: &problems)
                continue
            }
            let text = scalar.value
            if let first = firstSeen.isEmpty ? firstMark(of: text, in: entries) : firstSeen[text] {
                problems.append(Diagnostic(
                    "duplicate key '\(text)'", at: key.mark,
                    notes: [.init(mark: first, message: "'\(text)' is first defined here")]))
                continue
            }
            if !firstSeen.isEmpty || entries.count >= linearScanLimit {
                if firstSeen.isEmpty { indexKeys(entries, into: &firstSeen) }
                firstSeen[text] = key.mark
            }
            entries.append(MappingEntry(key: key, value: value))
        }
        guard !merges.isEmpty else { return (Node(.mapping(entries), mark: mark), problems) }
        var seen = Set(entries.compactMap { $0.key.scalar?.value })
        for source in merges {
            guard case .mapping(let merged) = source.content else { continue }
            for entry in merged {
                guard let key = entry.key.scalar?.value else { continue }
                if seen.insert(key).inserted { entries.append(entry) }
            }
        }
        return (Node(.mapping(entries), mark: mark), problems)
    }

    /// Where the scalar key `text` was first defined among `entries`, if it was.
    private static func firstMark(of text: String, in entries: [MappingEntry]) -> Mark? {
        for entry in entries {
            if case .scalar(let scalar) = entry.key.content, scalar.value == text { return entry.key.mark }
        }
        return nil
    }

    /// Fills `firstSeen` from the entries so far, when the mapping outgrows the linear scan.
    private static func indexKeys(_ entries: [MappingEntry], into firstSeen: inout [String: Mark]) {
        for entry in entries {
            if case .scalar(let scalar) = entry.key.content, firstSeen[scalar.value] == nil { firstSeen[scalar.value] = entry.key.mark }
        }
    }

    private static func merge(_ node: Node, at mark: Mark, into merges: inout [Node], problems: inout [Diagnostic]) {
        switch node.content {
        case .mapping:
            merges.append(node)
        case .sequence(let items) where items.allSatisfy({ if case .mapping = $0.content { true } else { false } }):
            merges += items
        default:
            problems.append(Diagnostic("the merge key '<<' takes a mapping or a sequence of mappings", at: mark))
        }
    }
}
