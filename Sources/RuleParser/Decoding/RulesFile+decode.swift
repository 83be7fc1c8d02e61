/// Decoding one file's top level: `version`, `sources`, `defaults`, `server`, `rules`.
import Foundation

extension NodeDecoder {
    /// What one file declares, before the files of a set are merged.
    struct FileContent {
        var sources: [Source] = []
        var rules: [Rule] = []
        var defaults: (Defaults, Mark)?
        var server: (ServerSettings, Mark)?
        var sourceReferences: [(name: String, mark: Mark)] = []
    }

    static let topLevelKeys = ["version", "sources", "defaults", "server", "rules"]

    func fileContent(_ root: Node?, file: String) -> FileContent {
        var content = FileContent()
        guard let root else {
            error("the file is empty; a rules file is a mapping with 'version: 1', 'sources' and 'rules'", at: Mark(file: file, line: 1, column: 1))
            return content
        }
        guard case .mapping = root.content else {
            error("a rules file must be a mapping with 'version', 'sources' and 'rules', found \(root.kindDescription)", at: root.mark)
            return content
        }
        guard let f = fields(root, "the rules file", keys: Self.topLevelKeys) else { return content }
        if let node = f["version"], let version = string(node, "version"), version != "1" {
            error("unsupported version '\(version)'; this Harbinger reads version 1", at: node.mark)
        }
        if let node = f["sources"], node.scalar?.isNull != true, let items = list(node, "sources", allowSingle: false) {
            content.sources = items.compactMap { source($0) }
        }
        if let node = f["defaults"], let mark = f.keyMark("defaults") { content.defaults = (defaults(node), mark) }
        if let node = f["server"], let mark = f.keyMark("server") { content.server = (server(node), mark) }
        if let node = f["rules"], node.scalar?.isNull != true, let items = list(node, "rules", allowSingle: false) {
            content.rules = rules(items, sourceReferences: &content.sourceReferences)
        }
        return content
    }

    /// Rule lists at least this long are decoded in two halves at once, one per core.
    static let parallelRuleCount = 512

    /// Decodes `rules:` items. Rules decode independently of one another, so a long list is split in
    /// two and the second half decoded on another thread by a decoder of its own; the halves' rules,
    /// problems, source references and secrets are then joined in file order.
    func rules(_ items: [Node], sourceReferences: inout [(name: String, mark: Mark)]) -> [Rule] {
        guard parallelDecoding, items.count >= Self.parallelRuleCount, ProcessInfo.processInfo.activeProcessorCount > 1 else {
            return decodeRules(items[...], sourceReferences: &sourceReferences)
        }
        let half = items.count / 2
        let second = RuleBatch(decoder: NodeDecoder(environment: environment, readFile: readFile), items: items[half...])
        let first = RuleBatch(decoder: self, items: items[..<half])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            (index == 0 ? first : second).decode()
        }
        sourceReferences += first.sourceReferences + second.sourceReferences
        record(second.decoder.diagnostics)
        sensitiveValues.formUnion(second.decoder.sensitiveValues)
        return first.rules + second.rules
    }

    fileprivate func decodeRules(_ items: ArraySlice<Node>, sourceReferences: inout [(name: String, mark: Mark)]) -> [Rule] {
        var rules: [Rule] = []
        rules.reserveCapacity(items.count)
        for index in items.indices {
            if let rule = rule(items[index], index: index, sourceReferences: &sourceReferences) { rules.append(rule) }
        }
        return rules
    }
}

/// One half of a long rule list and what decoding it produced. Unchecked: each batch is used by one
/// thread inside `concurrentPerform`, and read by the caller only after that returns.
private final class RuleBatch: @unchecked Sendable {
    let decoder: NodeDecoder
    let items: ArraySlice<Node>
    var rules: [Rule] = []
    var sourceReferences: [(name: String, mark: Mark)] = []

    init(decoder: NodeDecoder, items: ArraySlice<Node>) {
        self.decoder = decoder
        self.items = items
    }

    func decode() {
        rules = decoder.decodeRules(items, sourceReferences: &sourceReferences)
    }
}
