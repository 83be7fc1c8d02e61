/// `http`: call a URL with the event, the original payload, a CloudEvent or a template.
public struct HTTPActionConfig: ActionConfig {
    /// What the request body carries.
    public enum Body: Sendable {
        /// The registry's payload, unchanged (as Portus forwards it).
        case original
        /// The canonical event as JSON.
        case event
        /// The canonical event as a structured-mode CloudEvent.
        case cloudEvents
        /// A Mustache template over the canonical event.
        case template(Template)
    }

    /// The HTTP methods an action may use.
    public static let methods = ["POST", "PUT", "PATCH", "GET", "DELETE"]

    public static let type = "http"
    public static let summary = "Call a URL with the event, the registry's payload, a CloudEvent or a template."

    /// The URL; templates may fill its path and query only.
    public var url: Template
    /// The HTTP method.
    public var method = "POST"
    /// Extra headers, values templated.
    public var headers: [(name: String, value: Template)] = []
    /// HTTP Basic credentials.
    public var basic: Credentials? {
        get { rare.fields.basic }
        set { rare.fields.basic = newValue }
    }
    /// A bearer token.
    public var bearer: Secret? {
        get { rare.fields.bearer }
        set { rare.fields.bearer = newValue }
    }
    /// The request's Content-Type.
    public var contentType: String {
        get { rare.fields.contentType ?? Self.defaultContentType }
        set { rare.fields.contentType = newValue == Self.defaultContentType ? nil : newValue }
    }
    /// The Content-Type unless the action sets one.
    public static let defaultContentType = "application/json"
    /// What the body carries.
    public var body = Body.event
    /// A CA bundle to trust for this URL.
    public var caFile: String? {
        get { rare.fields.caFile }
        set { rare.fields.caFile = newValue }
    }
    /// Skip TLS verification (for tests only).
    public var insecure: Bool {
        get { rare.fields.insecure }
        set { rare.fields.insecure = newValue }
    }
    /// Overrides the rule's timeout.
    public var timeout: Duration?
    /// Standard Webhooks signing secret.
    public var signingSecret: Secret? {
        get { rare.fields.signingSecret }
        set { rare.fields.signingSecret = newValue }
    }
    /// Concurrent deliveries to this host.
    public var concurrency: Int? {
        get { rare.fields.concurrency }
        set { rare.fields.concurrency = newValue }
    }
    /// The options most actions leave out, out of line: a step holds its config in an `any ActionConfig`
    /// box, whose size was mostly these.
    private var rare = OutOfLine<RareOptions>()

    /// The options `rare` holds.
    private struct RareOptions: RarelySet {
        var basic: Credentials?
        var bearer: Secret?
        var caFile: String?
        var insecure = false
        var signingSecret: Secret?
        var concurrency: Int?
        var contentType: String?

        var isEmpty: Bool {
            basic == nil && bearer == nil && caFile == nil && !insecure && signingSecret == nil && concurrency == nil
                && contentType == nil
        }
    }

    public var target: String { "\(method) \(url.text)" }

    public static func decode(_ node: Node, decoder d: NodeDecoder, context: ActionContext) -> HTTPActionConfig? {
        let what = context.describe(type)
        let keys = ["url", "method", "headers", "basic", "content_type", "body", "tls", "timeout", "sign", "concurrency"]
        guard let f = d.fields(node, what, keys: keys, secrets: ["bearer"]) else { return nil }
        guard let url = d.required(f, "url").flatMap({ d.fixedHostURL($0, "url in \(what)") }) else { return nil }
        var config = HTTPActionConfig(url: url)
        if let node = f["method"], let method = d.string(node, "method in \(what)") {
            if methods.contains(method.uppercased()) {
                config.method = method.uppercased()
            } else {
                d.error("method must be one of \(methods.joined(separator: ", ")), found '\(method)'", at: node.mark)
            }
        }
        if let node = f["headers"], case .mapping(let entries) = node.content {
            config.headers.reserveCapacity(entries.count)
            for entry in entries {
                guard let name = entry.key.scalar?.value,
                      let value = d.template(entry.value, "header '\(name)' in \(what)") else { continue }
                config.headers.append((name, value))
            }
        } else if let node = f["headers"] {
            d.error("headers in \(what) must be a mapping of names to values, found \(node.kindDescription)", at: node.mark)
        }
        config.basic = f["basic"].flatMap { d.credentials($0, "basic in \(what)") }
        config.bearer = d.secret(f, "bearer")
        if config.basic != nil, config.bearer != nil, let mark = f.keyMark("bearer") {
            d.error("set either 'basic' or 'bearer' in \(what), not both", at: mark)
        }
        if let node = f["content_type"], let value = d.nonEmptyString(node, "content_type in \(what)") { config.contentType = value }
        if let node = f["body"] { config.body = decodeBody(node, d, what) ?? .event }
        if let node = f["tls"], let tls = d.fields(node, "tls in \(what)", keys: ["ca_file", "insecure"]) {
            config.caFile = tls["ca_file"].flatMap { d.nonEmptyString($0, "ca_file") }
            config.insecure = tls["insecure"].flatMap { d.bool($0, "insecure") } ?? false
        }
        config.timeout = f["timeout"].flatMap { d.duration($0, "timeout in \(what)") }
        if let node = f["sign"], let sign = d.fields(node, "sign in \(what)", keys: [], secrets: ["secret"]) {
            config.signingSecret = d.secret(sign, "secret", required: true)
        }
        config.concurrency = f["concurrency"].flatMap { d.int($0, "concurrency in \(what)", in: 1...10_000) }
        return config
    }

    private static func decodeBody(_ node: Node, _ d: NodeDecoder, _ what: @autoclosure () -> String) -> Body? {
        if case .mapping = node.content {
            guard let f = d.fields(node, "body in \(what())", keys: ["template"]),
                  let template = d.required(f, "template").flatMap({ d.template($0, "body template in \(what())") })
            else { return nil }
            return .template(template)
        }
        guard let value = d.string(node, "body in \(what())") else { return nil }
        switch value {
        case "original": return .original
        case "event": return .event
        case "cloudevents": return .cloudEvents
        default:
            let choices = ["original", "event", "cloudevents"]
            d.error("body must be original, event, cloudevents or {template: ...}, found '\(value)'\(Suggestion.didYouMean(value, in: choices))", at: node.mark)
            return nil
        }
    }

    public static var schema: JSON {
        SchemaPieces.object([
            ("url", SchemaPieces.string("absolute http(s) URL; templates may fill path and query, never the host")),
            ("method", ["type": "string", "enum": .strings(methods + methods.map { $0.lowercased() })]),
            ("headers", SchemaPieces.stringMap("extra request headers; values are templates")),
            ("basic", SchemaPieces.credentials),
        ] + SchemaPieces.secret("bearer", "bearer token") + [
            ("content_type", SchemaPieces.string("Content-Type of the request (default application/json)")),
            ("body", ["anyOf": [
                ["type": "string", "enum": ["original", "event", "cloudevents"]],
                SchemaPieces.object([("template", SchemaPieces.string("Mustache template over the event"))], required: ["template"]),
            ]]),
            ("tls", SchemaPieces.object([
                ("ca_file", SchemaPieces.string("CA bundle to trust")),
                ("insecure", SchemaPieces.boolean("skip certificate verification")),
            ])),
            ("timeout", SchemaPieces.duration),
            ("sign", SchemaPieces.object(SchemaPieces.secret("secret", "Standard Webhooks signing secret"))),
            ("concurrency", SchemaPieces.integer("concurrent deliveries to this host", minimum: 1)),
        ], required: ["url"], description: summary)
    }
}
