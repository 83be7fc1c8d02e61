/// `harbor-replication`: start an existing Harbor replication policy.
public struct HarborReplicationActionConfig: ActionConfig {
    public static let type = "harbor-replication"
    public static let summary = "Start an existing Harbor replication policy (POST /api/v2.0/replication/executions)."

    /// Harbor's base URL.
    public var url: Template
    /// The policy to start.
    public var policyID: Int
    /// A Harbor user (or robot account) allowed to start it.
    public var credentials: Credentials?
    /// Skip TLS verification (for tests only).
    public var insecure = false

    public var target: String { "\(url.text) policy \(policyID)" }

    public static func decode(_ node: Node, decoder d: NodeDecoder, context: ActionContext) -> HarborReplicationActionConfig? {
        let what = context.describe(type)
        guard let f = d.fields(node, what, keys: ["url", "policy_id", "credentials", "insecure"]) else { return nil }
        let url = d.required(f, "url").flatMap { d.fixedHostURL($0, "url in \(what)") }
        let policy = d.required(f, "policy_id").flatMap { d.int($0, "policy_id in \(what)", in: 1...Int.max) }
        guard let url, let policy else { return nil }
        var config = HarborReplicationActionConfig(url: url, policyID: policy)
        config.credentials = f["credentials"].flatMap { d.credentials($0, "credentials in \(what)") }
        config.insecure = f["insecure"].flatMap { d.bool($0, "insecure in \(what)") } ?? false
        return config
    }

    public static var schema: JSON {
        SchemaPieces.object([
            ("url", SchemaPieces.string("Harbor's base URL, such as https://harbor.example.com")),
            ("policy_id", SchemaPieces.integer("the replication policy's id", minimum: 1)),
            ("credentials", SchemaPieces.credentials),
            ("insecure", SchemaPieces.boolean("skip certificate verification")),
        ], required: ["url", "policy_id"], description: summary)
    }
}
