/// The canonical event: one artifact reference from one registry notification.
public struct Event: Sendable, Hashable {
    /// From the payload where the sender gives one, otherwise a stable hash of the canonical fields.
    public var id: String
    /// The sender's format (`harbor`, `distribution`, ...).
    public var source: SourceKind
    /// The name of the source it arrived through.
    public var sourceName: String
    /// What happened.
    public var type: EventType
    /// The registry host, from the payload or the source's `registry` option.
    public var registry: String?
    /// The first path segment of the repository (Harbor: the project).
    public var namespace: String?
    /// The repository path, without the registry host.
    public var repository: String
    /// The tag, if the reference has one.
    public var tag: String?
    /// The manifest digest, if known.
    public var digest: String?
    /// The manifest's media type.
    public var mediaType: String?
    /// What kind of artifact this is.
    public var artifact: ArtifactKind?
    /// The artifact's size in bytes.
    public var size: Int64?
    /// Who did it.
    public var actor: String?
    /// When, as RFC 3339 text from the payload.
    public var occurredAt: String?
    /// Scan results, for scan events.
    public var scan: Scan?
    /// Docker Hub's callback URL for webhook chains.
    public var callbackURL: String?

    /// Creates an event; `id` empty means "derive it" (see `withStableID()`).
    public init(id: String = "", source: SourceKind, sourceName: String, type: EventType, registry: String? = nil,
                namespace: String? = nil, repository: String, tag: String? = nil, digest: String? = nil,
                mediaType: String? = nil, artifact: ArtifactKind? = nil, size: Int64? = nil, actor: String? = nil,
                occurredAt: String? = nil, scan: Scan? = nil, callbackURL: String? = nil) {
        self.id = id
        self.source = source
        self.sourceName = sourceName
        self.type = type
        self.registry = registry
        self.namespace = namespace ?? Event.namespace(of: repository)
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.mediaType = mediaType
        self.artifact = artifact
        self.size = size
        self.actor = actor
        self.occurredAt = occurredAt
        self.scan = scan
        self.callbackURL = callbackURL
    }

    /// `registry/repository:tag`, or `@digest` when there is no tag.
    public var image: String {
        let base = registry.map { "\($0)/\(repository)" } ?? repository
        if let tag { return "\(base):\(tag)" }
        if let digest { return "\(base)@\(digest)" }
        return base
    }

    /// The first path segment of a repository, nil for a single-segment name.
    public static func namespace(of repository: String) -> String? {
        guard let slash = repository.firstIndex(of: "/") else { return nil }
        return String(repository[..<slash])
    }

    /// The value of a string field that `when` can match.
    public func value(of field: StringField) -> String? {
        switch field {
        case .registry: registry
        case .namespace: namespace
        case .repository: repository
        case .tag: tag
        case .digest: digest
        case .actor: actor
        case .mediaType: mediaType
        }
    }
}

/// A vulnerability scan's outcome.
public struct Scan: Sendable, Hashable {
    /// The highest severity found (`none` when nothing was found).
    public var severity: Severity
    /// Findings per level.
    public var counts: [Severity: Int]
    /// Findings with a fix available.
    public var fixable: Int?
    /// The scanner's name.
    public var scanner: String?

    /// Creates a scan summary.
    public init(severity: Severity, counts: [Severity: Int] = [:], fixable: Int? = nil, scanner: String? = nil) {
        self.severity = severity
        self.counts = counts
        self.fixable = fixable
        self.scanner = scanner
    }

    /// The count a `vulnerabilities` comparison reads (0 when not reported).
    public func count(_ counter: CountCondition.Counter) -> Int {
        switch counter {
        case .critical: counts[.critical] ?? 0
        case .high: counts[.high] ?? 0
        case .medium: counts[.medium] ?? 0
        case .low: counts[.low] ?? 0
        case .negligible: counts[.negligible] ?? 0
        case .unknown: counts[.unknown] ?? 0
        case .fixable: fixable ?? 0
        case .total: counts.values.reduce(0, +)
        }
    }
}
