/// Narrows the rules worth evaluating for an event: buckets by event type, then a trie over
/// the literal prefix of the repository pattern. Rules whose repository pattern starts with a
/// wildcard (or that have none) are always candidates.
struct RuleIndex: Sendable {
    /// Candidates for one event type.
    private struct Bucket: Sendable {
        var unprefixed: [Int32]
        var trie: PrefixTrie
        var byNamespace: [String: [Int32]]
    }

    private var buckets: [Bucket]

    init(_ rules: [Rule]) {
        let count = EventType.allCases.count
        var unprefixed = Array(repeating: [Int32](), count: count)
        var tries = Array(repeating: PrefixTrie.Builder(), count: count)
        var byNamespace = Array(repeating: [String: [Int32]](), count: count)
        for (position, rule) in rules.enumerated() where rule.enabled {
            let types = RuleIndex.eventTypes(rule.when) ?? .all
            let prefixes = RuleIndex.repositoryPrefixes(rule.when)
            let namespaces = prefixes == nil ? RuleIndex.namespaces(rule.when) : nil
            for type in types {
                let slot = type.bitPosition
                if let prefixes {
                    for prefix in Set(prefixes) { tries[slot].insert(prefix, value: Int32(position)) }
                } else if let namespaces {
                    for namespace in Set(namespaces) { byNamespace[slot][namespace, default: []].append(Int32(position)) }
                } else {
                    unprefixed[slot].append(Int32(position))
                }
            }
        }
        buckets = (0..<count).map { slot in
            Bucket(unprefixed: unprefixed[slot], trie: PrefixTrie(tries[slot]), byNamespace: byNamespace[slot])
        }
    }

    /// Calls `body` with each candidate rule position in ascending order until it returns false.
    func forEachCandidate(of event: Event, _ body: (Int) -> Bool) {
        let bucket = buckets[event.type.bitPosition]
        let byNamespace = bucket.byNamespace.isEmpty ? [] : event.namespace.flatMap { bucket.byNamespace[$0] } ?? []
        var count = byNamespace.count
        bucket.trie.visit(prefixesOf: event.repository) { count += $0.count }
        if count == 0 {
            for position in bucket.unprefixed where !body(Int(position)) { return }
            return
        }
        // Candidates from the trie and the namespace map, gathered without touching the heap.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { buffer in
            var filled = 0
            bucket.trie.visit(prefixesOf: event.repository) { values in
                for value in values { buffer[filled] = value; filled += 1 }
            }
            for value in byNamespace { buffer[filled] = value; filled += 1 }
            var found = UnsafeMutableBufferPointer(rebasing: buffer[0..<filled])
            found.sort()
            // Merge with the always-evaluated rules, skipping duplicates (a rule may sit under several keys).
            var i = 0, j = 0
            var last: Int32 = -1
            let scan = bucket.unprefixed
            while i < found.count || j < scan.count {
                let next: Int32
                if j >= scan.count || (i < found.count && found[i] < scan[j]) {
                    next = found[i]; i += 1
                } else {
                    next = scan[j]; j += 1
                }
                if next == last { continue }
                last = next
                if !body(Int(next)) { return }
            }
        }
    }

    /// Literal namespaces one of which every matching event has; nil when unknown.
    static func namespaces(_ condition: Condition) -> [String]? {
        switch condition {
        case .match(.field(.namespace, let pattern), _):
            var names: [String] = []
            for item in pattern.items {
                guard case .glob(let glob) = item, glob.isLiteral else { return nil }
                names.append(glob.literalPrefix)
            }
            return names
        case .match, .not: return nil
        case .all(let parts): return parts.lazy.compactMap(namespaces).first
        case .any(let parts):
            guard !parts.isEmpty else { return nil }
            var result: [String] = []
            for part in parts {
                guard let names = namespaces(part) else { return nil }
                result += names
            }
            return result
        }
    }

    /// The event types a condition can match, nil when it does not constrain them.
    static func eventTypes(_ condition: Condition) -> EventTypes? {
        switch condition {
        case .match(.event(let types), _): return types
        case .match: return nil
        case .not: return nil
        case .all(let parts):
            var result: EventTypes?
            for part in parts {
                guard let types = eventTypes(part) else { continue }
                result = result.map { $0.intersection(types) } ?? types
            }
            return result
        case .any(let parts):
            guard !parts.isEmpty else { return nil }
            var result = EventTypes()
            for part in parts {
                guard let types = eventTypes(part) else { return nil }
                result.formUnion(types)
            }
            return result
        }
    }

    /// Literal prefixes one of which every matching repository starts with; nil when unknown
    /// (a regex, a pattern starting with a wildcard, or no repository matcher).
    static func repositoryPrefixes(_ condition: Condition) -> [String]? {
        switch condition {
        case .match(.field(.repository, let pattern), _):
            var prefixes: [String] = []
            for item in pattern.items {
                guard case .glob(let glob) = item, !glob.literalPrefix.isEmpty else { return nil }
                prefixes.append(glob.literalPrefix)
            }
            return prefixes
        case .match, .not: return nil
        case .all(let parts):
            // Any one constrained part is enough; prefer the one with the longest shortest prefix.
            return parts.compactMap(repositoryPrefixes).max { a, b in
                (a.map(\.utf8.count).min() ?? 0) < (b.map(\.utf8.count).min() ?? 0)
            }
        case .any(let parts):
            guard !parts.isEmpty else { return nil }
            var result: [String] = []
            for part in parts {
                guard let prefixes = repositoryPrefixes(part) else { return nil }
                result += prefixes
            }
            return result
        }
    }
}

/// A byte trie from literal prefixes to rule positions, frozen into flat arrays once built: a node per
/// prefix byte of every rule, each with its own three small arrays, took most of the index's memory.
struct PrefixTrie: Sendable {
    /// The growable form, used while the index is built.
    struct Builder: Sendable {
        fileprivate struct Node: Sendable {
            var bytes: [UInt8] = []
            var children: [Int32] = []
            var values: [Int32] = []

            func child(_ byte: UInt8) -> Int32? {
                for (index, candidate) in bytes.enumerated() where candidate == byte { return children[index] }
                return nil
            }
        }

        fileprivate var nodes = [Node()]

        mutating func insert(_ key: String, value: Int32) {
            var current = 0
            for byte in key.utf8 {
                if let next = nodes[current].child(byte) {
                    current = Int(next)
                } else {
                    nodes.append(Node())
                    let next = Int32(nodes.count - 1)
                    nodes[current].bytes.append(byte)
                    nodes[current].children.append(next)
                    current = Int(next)
                }
            }
            nodes[current].values.append(value)
        }
    }

    /// Node `i`'s edges are `edgeBytes`/`edgeTargets` in `edgeStart[i]..<edgeStart[i + 1]`,
    /// its values `values` in `valueStart[i]..<valueStart[i + 1]`.
    private let edgeStart: [Int32]
    private let edgeBytes: [UInt8]
    private let edgeTargets: [Int32]
    private let valueStart: [Int32]
    private let values: [Int32]

    init(_ builder: Builder) {
        // Sized exactly up front: arrays grown by appending leave up to half their capacity unused.
        let edgeCount = builder.nodes.reduce(0) { $0 + $1.bytes.count }
        let valueCount = builder.nodes.reduce(0) { $0 + $1.values.count }
        var edgeStart: [Int32] = [0], edgeBytes: [UInt8] = [], edgeTargets: [Int32] = []
        var valueStart: [Int32] = [0], values: [Int32] = []
        edgeStart.reserveCapacity(builder.nodes.count + 1)
        valueStart.reserveCapacity(builder.nodes.count + 1)
        edgeBytes.reserveCapacity(edgeCount)
        edgeTargets.reserveCapacity(edgeCount)
        values.reserveCapacity(valueCount)
        for node in builder.nodes {
            edgeBytes += node.bytes
            edgeTargets += node.children
            edgeStart.append(Int32(edgeBytes.count))
            values += node.values
            valueStart.append(Int32(values.count))
        }
        self.edgeStart = edgeStart
        self.edgeBytes = edgeBytes
        self.edgeTargets = edgeTargets
        self.valueStart = valueStart
        self.values = values
    }

    private func child(of node: Int, _ byte: UInt8) -> Int? {
        for edge in Int(edgeStart[node])..<Int(edgeStart[node + 1]) where edgeBytes[edge] == byte { return Int(edgeTargets[edge]) }
        return nil
    }

    private func values(of node: Int) -> ArraySlice<Int32> {
        values[Int(valueStart[node])..<Int(valueStart[node + 1])]
    }

    /// Calls `body` with the values of every key that is a prefix of `text`.
    func visit(prefixesOf text: String, _ body: (ArraySlice<Int32>) -> Void) {
        guard edgeStart.count > 2 else { return }
        var current = 0
        if valueStart[1] > 0 { body(values(of: 0)) }
        for byte in text.utf8 {
            guard let next = child(of: current, byte) else { return }
            current = next
            if valueStart[current + 1] > valueStart[current] { body(values(of: current)) }
        }
    }
}
