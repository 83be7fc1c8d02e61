/// Reading the canonical JSON the store keeps back into an `Event`: the inverse of `Event.json`.
extension Event {
    /// Decodes canonical JSON text, as `json.serialized()` wrote it.
    public init(canonicalJSON bytes: [UInt8]) throws(DecodeError) {
        try self.init(canonical: JSONCursor.parse(bytes))
    }

    /// Decodes a canonical JSON object; every error names its field.
    public init(canonical object: JSONCursor) throws(DecodeError) {
        let repository = try object.requiredString("repository")
        self.init(
            id: try object.requiredString("id"),
            source: try Self.vocabulary(object.required("source"), SourceKind.init(rawValue:)),
            sourceName: try object.requiredString("source_name"),
            type: try Self.vocabulary(object.required("type"), EventType.init(rawValue:)),
            registry: try object.string("registry"),
            repository: repository,
            tag: try object.string("tag"),
            digest: try object.string("digest"),
            mediaType: try object.string("media_type"),
            artifact: try object.optional("artifact").map { cursor throws(DecodeError) in
                try Self.vocabulary(cursor, ArtifactKind.init(rawValue:))
            },
            size: try object.int("size"),
            actor: try object.string("actor"),
            occurredAt: try object.string("occurred_at"),
            scan: try object.optional("scan").map { cursor throws(DecodeError) in try Scan(canonical: cursor) },
            callbackURL: try object.string("callback_url"))
        // The initialiser derives a missing namespace from the repository; keep what was stored instead.
        namespace = try object.string("namespace")
    }

    /// A string member that must be one of a vocabulary's words.
    static func vocabulary<Word>(_ cursor: JSONCursor, _ word: (String) -> Word?) throws(DecodeError) -> Word {
        let text = try cursor.string()
        guard let value = word(text) else { throw DecodeError(path: cursor.path, "unknown value \"\(text)\"") }
        return value
    }
}

extension Scan {
    /// Decodes the `scan` object of the canonical JSON.
    public init(canonical object: JSONCursor) throws(DecodeError) {
        let severity = try Event.vocabulary(object.required("severity"), Severity.init(name:))
        var counts: [Severity: Int] = [:]
        for (name, count) in try object.optional("counts")?.members() ?? [] {
            guard let level = Severity(name: name) else { throw DecodeError(path: count.path, "unknown severity") }
            counts[level] = Int(try count.int())
        }
        self.init(severity: severity, counts: counts, fixable: try object.int("fixable").map { Int($0) },
                  scanner: try object.string("scanner"))
    }
}
