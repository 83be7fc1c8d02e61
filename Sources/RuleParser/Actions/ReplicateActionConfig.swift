/// `replicate`: copy the event's image to another registry over the OCI distribution API.
public struct ReplicateActionConfig: ActionConfig {
    public static let type = "replicate"
    public static let summary = "Copy the event's image, digest for digest, to another registry."

    /// Destination `host/repository`; the host is fixed, the repository may be templated.
    public var to: Template
    /// Destination tag (default: the event's tag; a digest-only event copies by digest).
    public var tag: Template?
    /// Credentials for the destination.
    public var credentials: Credentials?
    /// Credentials for the source registry.
    public var sourceCredentials: Credentials? {
        get { rare.fields.sourceCredentials }
        set { rare.fields.sourceCredentials = newValue }
    }
    /// A docker `config.json` whose `auths` hold credentials per host.
    public var dockerConfig: String? {
        get { rare.fields.dockerConfig }
        set { rare.fields.dockerConfig = newValue }
    }
    /// Allow plain HTTP on both sides (loopback registries).
    public var insecure: Bool {
        get { rare.fields.insecure }
        set { rare.fields.insecure = newValue }
    }
    /// Copy only these platforms of an index (`os/arch[/variant]`).
    public var platforms: [String] = []
    /// Also copy artifacts that refer to the image (signatures, SBOMs).
    public var referrers = false
    /// Delete the destination tag when the source tag is deleted.
    public var mirrorDeletes: Bool {
        get { rare.fields.mirrorDeletes }
        set { rare.fields.mirrorDeletes = newValue }
    }
    /// A CA bundle for registries whose certificates a private CA signed.
    public var caFile: String? {
        get { rare.fields.caFile }
        set { rare.fields.caFile = newValue }
    }
    /// The time one attempt (the whole copy) may take; `defaultTimeout` when unset.
    public var ownTimeout: Duration? {
        get { rare.fields.ownTimeout }
        set { rare.fields.ownTimeout = newValue }
    }
    /// Concurrent copies to the destination registry.
    public var concurrency: Int? {
        get { rare.fields.concurrency }
        set { rare.fields.concurrency = newValue }
    }
    /// The options most copies leave out, out of line: inline, the config was 201 bytes in its
    /// `any ActionConfig` box.
    private var rare = OutOfLine<RareOptions>()

    /// The options `rare` holds.
    private struct RareOptions: RarelySet {
        var sourceCredentials: Credentials?
        var dockerConfig: String?
        var insecure = false
        var mirrorDeletes = false
        var caFile: String?
        var ownTimeout: Duration?
        var concurrency: Int?

        var isEmpty: Bool {
            sourceCredentials == nil && dockerConfig == nil && !insecure && !mirrorDeletes && caFile == nil
                && ownTimeout == nil && concurrency == nil
        }
    }

    /// A copy takes longer than a webhook: attempts get 10 minutes unless the action says otherwise
    /// (the rule's and the defaults' timeouts, made for webhooks, do not apply).
    public static let defaultTimeout: Duration = .seconds(600)

    public var timeout: Duration? { ownTimeout ?? Self.defaultTimeout }

    public var target: String { tag.map { "\(to.text):\($0.text)" } ?? to.text }

    public static func decode(_ node: Node, decoder d: NodeDecoder, context: ActionContext) -> ReplicateActionConfig? {
        let what = context.describe(type)
        let keys = ["to", "tag", "credentials", "source_credentials", "docker_config", "insecure", "platforms", "referrers", "mirror_deletes",
                    "ca_file", "timeout", "concurrency"]
        guard let f = d.fields(node, what, keys: keys) else { return nil }
        guard let toNode = d.required(f, "to"), let to = d.template(toNode, "to in \(what)") else { return nil }
        let host = to.text.prefix { $0 != "/" }
        if host.includes("{{") || !to.text.includes("/") {
            d.error("to in \(what) must be 'host/repository' with a fixed host, such as prod.example.com/{{repository}}", at: toNode.mark)
        }
        var config = ReplicateActionConfig(to: to)
        config.tag = f["tag"].flatMap { d.template($0, "tag in \(what)") }
        config.credentials = f["credentials"].flatMap { d.credentials($0, "credentials in \(what)") }
        config.sourceCredentials = f["source_credentials"].flatMap { d.credentials($0, "source_credentials in \(what)") }
        config.dockerConfig = f["docker_config"].flatMap { d.nonEmptyString($0, "docker_config in \(what)") }
        config.insecure = f["insecure"].flatMap { d.bool($0, "insecure in \(what)") } ?? false
        config.referrers = f["referrers"].flatMap { d.bool($0, "referrers in \(what)") } ?? false
        config.mirrorDeletes = f["mirror_deletes"].flatMap { d.bool($0, "mirror_deletes in \(what)") } ?? false
        config.caFile = f["ca_file"].flatMap { d.nonEmptyString($0, "ca_file in \(what)") }
        config.ownTimeout = f["timeout"].flatMap { d.duration($0, "timeout in \(what)") }
        config.concurrency = f["concurrency"].flatMap { d.int($0, "concurrency in \(what)", in: 1...10_000) }
        for item in f["platforms"].flatMap({ d.list($0, "platforms in \(what)") }) ?? [] {
            guard let platform = d.string(item, "platform in \(what)") else { continue }
            let parts = platform.split(separator: "/", omittingEmptySubsequences: false)
            if (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) {
                config.platforms.append(platform)
            } else {
                d.error("platform must be os/arch or os/arch/variant, such as linux/amd64, found '\(platform)'", at: item.mark)
            }
        }
        return config
    }

    public static var schema: JSON {
        SchemaPieces.object([
            ("to", SchemaPieces.string("destination host/repository; the repository may be a template")),
            ("tag", SchemaPieces.string("destination tag template (default: the event's tag)")),
            ("credentials", SchemaPieces.credentials),
            ("source_credentials", SchemaPieces.credentials),
            ("docker_config", SchemaPieces.string("path to a docker config.json with auths")),
            ("insecure", SchemaPieces.boolean("allow plain HTTP on both sides")),
            ("platforms", SchemaPieces.oneOrList(["type": "string", "pattern": "^[^/]+/[^/]+(/[^/]+)?$"])),
            ("referrers", SchemaPieces.boolean("also copy signatures, SBOMs and other referrers")),
            ("mirror_deletes", SchemaPieces.boolean("delete the destination tag when the source tag is deleted")),
            ("ca_file", SchemaPieces.string("CA bundle to trust for HTTPS registries")),
            ("timeout", SchemaPieces.duration),
            ("concurrency", SchemaPieces.integer("concurrent copies to the destination registry", minimum: 1)),
        ], required: ["to"], description: summary)
    }
}
