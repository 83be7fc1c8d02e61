/// The fixed vocabularies of the rules language: event types, severities, artifact and source kinds.

/// A canonical event type.
public enum EventType: String, Sendable, Hashable, CaseIterable, Codable {
    case push, pull, delete
    case scanCompleted = "scan_completed", scanFailed = "scan_failed", scanStopped = "scan_stopped"
    case quotaExceeded = "quota_exceeded", quotaWarning = "quota_warning"
    case replication
    case chartPush = "chart_push", chartPull = "chart_pull", chartDelete = "chart_delete"
    case tagRetention = "tag_retention"
    case buildCompleted = "build_completed"
}

/// A vulnerability severity, ordered none < unknown < negligible < low < medium < high < critical.
public enum Severity: Int, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case none, unknown, negligible, low, medium, high, critical

    /// The level's name as the rules file writes it.
    public var name: String {
        switch self {
        case .none: "none"
        case .unknown: "unknown"
        case .negligible: "negligible"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    /// Parses a level name, case-insensitively ("Critical" from Harbor, "HIGH" from ECR).
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    public var description: String { name }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What kind of artifact an event is about.
public enum ArtifactKind: String, Sendable, Hashable, CaseIterable, Codable {
    case image, index, chart, signature, sbom, other
}

/// Which sender's payload format a source speaks.
public enum SourceKind: String, Sendable, Hashable, CaseIterable, Codable {
    case harbor, distribution, dockerhub, quay, ghcr, acr, artifactory, nexus, gar, ecr, cloudevents, alinio
}
