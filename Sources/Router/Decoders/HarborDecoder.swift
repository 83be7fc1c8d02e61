/// Harbor webhooks: the 2.x Default format, the CloudEvents/CDEvents formats (2.10+) and the 1.x format.

/// Decodes a Harbor webhook, choosing the format by the body's shape: `specversion` is CloudEvents,
/// `event_type` is 1.x, anything else is read as the 2.x Default format (`type`, `occur_at`, `event_data`).
public struct HarborDecoder: SourceDecoder {
    /// Harbor, every format.
    public static let kind: SourceKind = .harbor

    /// Creates the decoder.
    public init() {}

    /// One event per artifact named in the payload (per resource, replicated or retention-deleted artifact).
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        if try root.optional("specversion") != nil {
            return try CloudEventsDecoder.events(structured: root, context: context, source: Self.kind)
        }
        if try root.optional("event_type") != nil { return try Self.v1Events(root, context: context) }
        return try Self.defaultEvents(root, context: context)
    }

    /// Default-format `type` values.
    static let defaultTypes: [String: EventType] = [
        "PUSH_ARTIFACT": .push, "PULL_ARTIFACT": .pull, "DELETE_ARTIFACT": .delete,
        "SCANNING_COMPLETED": .scanCompleted, "SCANNING_FAILED": .scanFailed, "SCANNING_STOPPED": .scanStopped,
        "QUOTA_EXCEED": .quotaExceeded, "QUOTA_WARNING": .quotaWarning,
        "REPLICATION": .replication, "TAG_RETENTION": .tagRetention,
        "UPLOAD_CHART": .chartPush, "DOWNLOAD_CHART": .chartPull, "DELETE_CHART": .chartDelete,
    ]

    /// CloudEvents-format `type` values (goharbor/harbor `src/pkg/notifier/formats/cloudevents.go`).
    static let cloudEventTypes: [String: EventType] = [
        "harbor.artifact.pushed": .push, "harbor.artifact.pulled": .pull, "harbor.artifact.deleted": .delete,
        "harbor.quota.exceeded": .quotaExceeded, "harbor.quota.warned": .quotaWarning,
        "harbor.replication.status.changed": .replication,
        "harbor.scan.completed": .scanCompleted, "harbor.scan.failed": .scanFailed, "harbor.scan.stopped": .scanStopped,
        "harbor.tag_retention.finished": .tagRetention,
    ]

    /// 1.x `event_type` values; only `pushImage` is fixtured, the others are Harbor 1.x's remaining names.
    static let v1Types: [String: EventType] = [
        "pushImage": .push, "pullImage": .pull, "deleteImage": .delete,
        "scanningCompleted": .scanCompleted, "scanningFailed": .scanFailed,
        "uploadChart": .chartPush, "downloadChart": .chartPull, "deleteChart": .chartDelete,
    ]

    /// The Default format: no event id (SourceDecoders fills a stable hash), `occur_at` in Unix seconds.
    static func defaultEvents(_ root: JSONCursor, context: DecodeContext) throws(DecodeError) -> [Event] {
        let typeCursor = try root.required("type")
        let name = try typeCursor.string()
        guard let type = defaultTypes[name] else {
            throw DecodeError.unsupported(path: typeCursor.path, "unknown Harbor event type '\(name)'")
        }
        var occurredAt: String?
        if let seconds = try root.optional("occur_at") { occurredAt = UnixTime.rfc3339(seconds: try UnixTime.seconds(seconds)) }
        let envelope = HarborEnvelope(id: "", type: type, actor: try root.string("operator").nonEmpty, occurredAt: occurredAt)
        return try events(data: try root.required("event_data"), envelope: envelope, source: kind, context: context)
    }

    /// The 1.x format: `event_type` and `events[]{project, repo_name, tag, full_name, trigger_time}`; no
    /// digest (`image_id` is not a manifest digest), no host, no event id.
    static func v1Events(_ root: JSONCursor, context: DecodeContext) throws(DecodeError) -> [Event] {
        let typeCursor = try root.required("event_type")
        let name = try typeCursor.string()
        guard let type = v1Types[name] else {
            throw DecodeError.unsupported(path: typeCursor.path, "unknown Harbor 1.x event type '\(name)'")
        }
        var events: [Event] = []
        for entry in try root.required("events").array() {
            let project = try entry.string("project").nonEmpty
            var repository = try entry.string("full_name").nonEmpty ?? ""
            if repository.isEmpty { repository = try entry.requiredString("repo_name") }
            if let project, !repository.contains("/") { repository = "\(project)/\(repository)" }
            var occurredAt: String?
            if let time = try entry.optional("trigger_time") {
                // Documented 1.x samples carry a 12-digit value; nothing Harbor sends in seconds is that
                // large (year 5138+), so such values are read as milliseconds.
                let value = try UnixTime.seconds(time)
                occurredAt = UnixTime.rfc3339(seconds: value >= 100_000_000_000 ? value / 1000 : value)
            }
            events.append(Event(
                source: kind, sourceName: context.sourceName, type: type, registry: context.registry,
                namespace: project, repository: repository, tag: try entry.string("tag").nonEmpty,
                artifact: type.isChart ? .chart : nil, actor: try entry.string("operator").nonEmpty,
                occurredAt: occurredAt))
        }
        return events
    }
}

/// What a Harbor event says outside its `event_data`, in every format.
struct HarborEnvelope: Sendable {
    /// The sender's event id; empty in the Default format.
    var id: String
    /// The canonical type.
    var type: EventType
    /// `operator`, the user, robot or trigger name.
    var actor: String?
    /// RFC 3339.
    var occurredAt: String?
}

extension EventType {
    /// The chart_* types.
    var isChart: Bool { self == .chartPush || self == .chartPull || self == .chartDelete }
}
