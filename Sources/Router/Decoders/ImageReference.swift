/// Image reference text (`host/repo:tag@digest`) as some senders write it instead of separate fields.
struct ImageReference: Sendable, Hashable {
    /// The registry host, when the first path segment looks like one (has a `.` or `:`, or is `localhost`).
    var registry: String?
    /// The repository path without host, tag or digest.
    var repository: String
    /// The tag after the last `:` of the last path segment.
    var tag: String?
    /// The digest after `@`.
    var digest: String?

    /// Parses `text`; a leading `scheme://` is ignored. Nil when no repository is left.
    init?(parsing text: String) {
        var rest = Substring(text)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.firstIndex(of: "@") {
            let digest = rest[rest.index(after: at)...]
            self.digest = digest.isEmpty ? nil : String(digest)
            rest = rest[..<at]
        }
        let lastSegmentStart = rest.lastIndex(of: "/").map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[lastSegmentStart...].lastIndex(of: ":") {
            let tag = rest[rest.index(after: colon)...]
            self.tag = tag.isEmpty ? nil : String(tag)
            rest = rest[..<colon]
        }
        if let slash = rest.firstIndex(of: "/"), Self.looksLikeHost(rest[..<slash]) {
            registry = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty else { return nil }
        repository = String(rest)
    }

    /// Docker's rule for telling a registry host from a first path segment.
    static func looksLikeHost(_ segment: Substring) -> Bool {
        segment.contains(".") || segment.contains(":") || segment == "localhost"
    }
}
