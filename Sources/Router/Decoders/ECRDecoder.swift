/// Amazon ECR events, delivered raw by an EventBridge rule with an API-destination target.

/// Decodes EventBridge `ECR Image Action` and `ECR Image Scan` events.
///
/// An action whose `result` is not `SUCCESS` yields no events (nothing changed in the registry).
/// The registry host is derived from `account` and `region` (`.amazonaws.com.cn` in China
/// regions). The id is the EventBridge `id`, the time `time`.
public struct ECRDecoder: SourceDecoder {
    /// `ecr`.
    public static let kind = SourceKind.ecr

    /// Creates the decoder.
    public init() {}

    /// One event, or one per tag of a scanned image.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let root = try JSONCursor.parse(payload.body)
        let source = try root.requiredString("source")
        guard source == "aws.ecr" else {
            throw DecodeError(path: "source", "unsupported EventBridge source '\(source)' (expected 'aws.ecr')")
        }
        let detailType = try root.requiredString("detail-type")
        let detail = try root.required("detail")
        switch detailType {
        case "ECR Image Action": return try action(root, detail: detail, context: context)
        case "ECR Image Scan": return try scan(root, detail: detail, context: context)
        default: throw DecodeError.unsupported(path: "detail-type", "unsupported ECR event '\(detailType)'")
        }
    }

    private func action(_ root: JSONCursor, detail: JSONCursor, context: DecodeContext) throws(DecodeError) -> [Event] {
        let actionType = try detail.requiredString("action-type")
        let type: EventType
        switch actionType {
        case "PUSH": type = .push
        case "DELETE": type = .delete
        default: throw DecodeError.unsupported(path: "detail.action-type", "unsupported ECR image action '\(actionType)'")
        }
        guard try detail.requiredString("result") == "SUCCESS" else { return [] }
        var event = try reference(root, detail: detail, type: type, context: context)
        event.tag = try detail.string("image-tag").flatMap { $0.isEmpty ? nil : $0 }
        return [event]
    }

    private func scan(_ root: JSONCursor, detail: JSONCursor, context: DecodeContext) throws(DecodeError) -> [Event] {
        let status = try detail.requiredString("scan-status")
        var base: Event
        switch status {
        case "COMPLETE":
            base = try reference(root, detail: detail, type: .scanCompleted, context: context)
            base.scan = try Self.scan(detail.optional("finding-severity-counts"))
        case "FAILED":
            base = try reference(root, detail: detail, type: .scanFailed, context: context)
        default: throw DecodeError.unsupported(path: "detail.scan-status", "unsupported ECR scan status '\(status)'")
        }
        var tags: [String] = []
        for item in try detail.optional("image-tags")?.array() ?? [] {
            let tag = try item.string()
            if !tag.isEmpty { tags.append(tag) }
        }
        guard !tags.isEmpty else { return [base] }
        return tags.enumerated().map { index, tag in
            var event = base
            event.tag = tag
            if tags.count > 1, !base.id.isEmpty { event.id = "\(base.id)-\(index)" }
            return event
        }
    }

    /// Counts per level; the severity is the highest level with a non-zero count.
    static func scan(_ counts: JSONCursor?) throws(DecodeError) -> Scan {
        var levels: [Severity: Int] = [:]
        for (key, value) in try counts?.members() ?? [] {
            let level: Severity = switch key.uppercased() {
            case "CRITICAL": .critical
            case "HIGH": .high
            case "MEDIUM": .medium
            case "LOW": .low
            case "INFORMATIONAL": .negligible
            // UNDEFINED, and any level AWS adds later, is reported as unknown rather than dropped.
            default: .unknown
            }
            try Scan.add(value, to: level, in: &levels)
        }
        let severity = levels.filter { $0.value > 0 }.keys.max() ?? .none
        return Scan(severity: severity, counts: levels)
    }

    private static let imageConfigs: Set<String> = [
        "", "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json",
    ]

    private func reference(_ root: JSONCursor, detail: JSONCursor, type: EventType, context: DecodeContext)
        throws(DecodeError) -> Event {
        let account = try root.requiredString("account")
        let region = try root.requiredString("region")
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        let mediaType = try detail.string("manifest-media-type").flatMap { $0.isEmpty ? nil : $0 }
        // An image's config type says nothing more than "image"; any other type is an OCI artifact's.
        let artifactType = try detail.string("artifact-media-type").flatMap { Self.imageConfigs.contains($0) ? nil : $0 }
        return Event(
            id: try root.string("id") ?? "", source: .ecr, sourceName: context.sourceName, type: type,
            registry: "\(account).dkr.ecr.\(region).\(domain)", repository: try detail.requiredString("repository-name"),
            digest: try detail.string("image-digest").flatMap { $0.isEmpty ? nil : $0 }, mediaType: mediaType,
            artifact: MediaTypes.artifactKind(mediaType: mediaType, artifactType: artifactType),
            occurredAt: try root.string("time"))
    }
}
