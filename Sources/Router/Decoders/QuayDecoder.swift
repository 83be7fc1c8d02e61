/// Quay (quay.io and Red Hat Quay) repository notifications sent by the "Webhook POST" method.

/// Decodes Quay webhook bodies: `repo_push` and `vulnerability_found` (also their test notifications).
///
/// Quay sends no event-type header and no event name in the body (the body is only the event's
/// `event_data`), so the kind is decided by shape: `updated_tags` is a `repo_push`, `vulnerability`
/// (or the legacy `vulnerabilities` list) is a `vulnerability_found`. The "Test Notification"
/// button sends sample data of the same shape, so it decodes like a real notification. Build
/// notifications (`build_id`) are refused: success and cancelled cannot be told apart by shape.
/// Quay carries no digest, actor, timestamp or id; the id is left to the stable hash.
public struct QuayDecoder: SourceDecoder {
    /// `quay`.
    public static let kind = SourceKind.quay

    /// Creates the decoder.
    public init() {}

    /// One push event per updated tag, or one scan event per tag of the vulnerable manifest.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        if let tags = try root.optional("updated_tags") {
            return try pushes(root, tags: tags, context: context)
        }
        let single = try root.optional("vulnerability")
        let list = try root.optional("vulnerabilities")
        if single != nil || list != nil {
            return try findings(root, context: context)
        }
        if try root.optional("build_id") != nil {
            throw DecodeError.unsupported(path: "build_id", "unsupported Quay notification: build events are not routed")
        }
        throw DecodeError(path: "", "unrecognised Quay notification: expected 'updated_tags' (repo_push) or 'vulnerability' (vulnerability_found)")
    }

    private func pushes(_ root: JSONCursor, tags: JSONCursor, context: DecodeContext) throws(DecodeError) -> [Event] {
        let base = try reference(root, type: .push, context: context)
        var events: [Event] = []
        for tag in try tags.array() {
            var event = base
            event.tag = try tag.string()
            events.append(event)
        }
        return events
    }

    private func findings(_ root: JSONCursor, context: DecodeContext) throws(DecodeError) -> [Event] {
        var base = try reference(root, type: .scanCompleted, context: context)
        base.scan = try scan(root)
        // `tags` names every tag of the vulnerable manifest; an untagged manifest is listed by digest.
        let tags = try root.optional("tags")?.array() ?? []
        guard !tags.isEmpty else { return [base] }
        var events: [Event] = []
        for tag in tags {
            var event = base
            let name = try tag.string()
            if name.hasPrefix("sha256:") { event.digest = name } else { event.tag = name }
            events.append(event)
        }
        return events
    }

    /// One finding of Clair's priority, reported as a count of 1 at that level.
    private func scan(_ root: JSONCursor) throws(DecodeError) -> Scan {
        var vulnerabilities: [JSONCursor] = []
        if let single = try root.optional("vulnerability") { vulnerabilities.append(single) }
        if let list = try root.optional("vulnerabilities") { vulnerabilities += try list.array() }
        var counts: [Severity: Int] = [:]
        var fixable: Int?
        for vulnerability in vulnerabilities {
            let level = Self.severity(clairPriority: try vulnerability.requiredString("priority"))
            counts[level, default: 0] += 1
            if let hasFix = try vulnerability.bool("has_fix") {
                fixable = (fixable ?? 0) + (hasFix ? 1 : 0)
            }
        }
        return Scan(severity: counts.keys.max() ?? .none, counts: counts, fixable: fixable)
    }

    /// Clair's priority words; Clair v2's `Defcon1` ranks above Critical, vendor words are unknown.
    static func severity(clairPriority: String) -> Severity {
        if clairPriority.lowercased() == "defcon1" { return .critical }
        guard let level = Severity(name: clairPriority), level != .none else { return .unknown }
        return level
    }

    private func reference(_ root: JSONCursor, type: EventType, context: DecodeContext) throws(DecodeError) -> Event {
        let repository = try root.requiredString("repository")
        let homepage = try root.string("homepage")
        let registry = try Self.host(dockerURL: root.string("docker_url")) ?? Self.host(url: homepage) ?? context.registry
        return Event(source: .quay, sourceName: context.sourceName, type: type, registry: registry,
                     namespace: try root.string("namespace"), repository: repository)
    }

    /// `quay.io/acme/web` → `quay.io` (Quay's SERVER_HOSTNAME, which may carry a port).
    static func host(dockerURL: String?) -> String? {
        guard let dockerURL, !dockerURL.isEmpty else { return nil }
        var rest = Substring(dockerURL)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        let host = rest.prefix { $0 != "/" }
        return host.isEmpty ? nil : String(host)
    }

    /// `https://quay.io/repository/acme/web` → `quay.io`; nil for text that is not an absolute URL.
    static func host(url: String?) -> String? {
        guard let url, let scheme = url.firstRange(of: "://") else { return nil }
        let host = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return host.isEmpty ? nil : String(host)
    }
}
