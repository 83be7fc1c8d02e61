/// Decoding one file's top level: `version`, `sources`, `defaults`, `server`, `rules`.
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
            content.rules = items.enumerated().compactMap { index, item in
                rule(item, index: index, sourceReferences: &content.sourceReferences)
            }
        }
        return content
    }
}
