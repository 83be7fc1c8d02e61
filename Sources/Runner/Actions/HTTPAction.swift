/// The `http` action: one request per attempt, signed when the action has a secret.
import AsyncHTTPClient
import Foundation

/// Runs `http` actions over one shared `HTTPClient` (the server owns its lifecycle).
public struct HTTPAction: ActionPlugin {
    /// The options it runs.
    public typealias Config = HTTPActionConfig

    private let exchange: HTTPExchange

    /// Creates the plugin; `clock` dates signatures and turns `Retry-After` dates into delays.
    public init(httpClient: HTTPClient, clock: any WallClock = SystemClock()) {
        exchange = HTTPExchange(client: httpClient, clock: clock)
    }

    /// Makes one attempt.
    public func run(_ config: HTTPActionConfig, context: DeliveryContext) async -> AttemptOutcome {
        let request: HTTPClientRequest
        switch makeRequest(config, context: context) {
        case .success(let built): request = built
        case .failure(let problem): return AttemptOutcome(.failure, status: problem.message)
        }
        return await exchange.send(request, timeout: context.timeout)
    }

    /// The URL's `host:port`: requests to one server share its limit.
    public func concurrencyKey(_ config: HTTPActionConfig, context: DeliveryContext) -> String {
        Self.hostAndPort(config.url.text)
    }

    /// The action's `concurrency`.
    public func concurrencyLimit(_ config: HTTPActionConfig) -> Int? { config.concurrency }

    /// The request for one attempt, or why none can be made (a failure, since retrying cannot fix it).
    func makeRequest(_ config: HTTPActionConfig, context: DeliveryContext) -> Result<HTTPClientRequest, RequestProblem> {
        let event = context.event.event
        let url = config.url.render(event)
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host?.isEmpty == false else {
            return .failure(RequestProblem("invalid URL after rendering: \(url)"))
        }
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: config.method)

        let (body, contentType) = Self.body(config, context: context)
        if config.method != "GET" {
            request.headers.replaceOrAdd(name: "Content-Type", value: contentType)
        }
        for header in config.headers {
            request.headers.replaceOrAdd(name: header.name, value: header.value.render(event))
        }
        if let basic = config.basic {
            let token = Data("\(basic.username):\(basic.password.value)".utf8).base64EncodedString()
            request.headers.replaceOrAdd(name: "Authorization", value: "Basic \(token)")
        } else if let bearer = config.bearer {
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(bearer.value)")
        }
        for header in HTTPExchange.identityHeaders(context) {
            request.headers.replaceOrAdd(name: header.name, value: header.value)
        }
        let sent = config.method == "GET" ? [] : body
        if let secret = config.signingSecret {
            let timestamp = exchange.clock.now() / 1000
            let signature = StandardWebhooks.signature(id: context.delivery.id, timestamp: timestamp, body: sent,
                                                       secret: secret.value)
            request.headers.replaceOrAdd(name: "webhook-timestamp", value: String(timestamp))
            request.headers.replaceOrAdd(name: "webhook-signature", value: signature)
        }
        if !sent.isEmpty {
            request.body = .bytes(sent)
        }
        if scheme == "https", config.caFile != nil || config.insecure {
            if let caFile = config.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                return .failure(RequestProblem("cannot read tls.ca_file '\(caFile)'"))
            }
            // A per-request TLS configuration: the shared client keeps one connection pool per
            // distinct configuration, so actions with the same settings share connections.
            request.tlsConfiguration = .makeClientConfiguration()
            if let caFile = config.caFile { request.tlsConfiguration?.trustRoots = .file(caFile) }
            if config.insecure { request.tlsConfiguration?.certificateVerification = .none }
        }
        return .success(request)
    }

    /// The body bytes and their Content-Type.
    static func body(_ config: HTTPActionConfig, context: DeliveryContext) -> (bytes: [UInt8], contentType: String) {
        let stored = context.event
        switch config.body {
        case .original:
            return (stored.payload, stored.contentType ?? config.contentType)
        case .event:
            return (Array(stored.json.utf8), config.contentType)
        case .cloudEvents:
            return (Array(cloudEvent(stored).serialized().utf8), "application/cloudevents+json")
        case .template(let template):
            return (Array(template.render(stored.event).utf8), config.contentType)
        }
    }

    /// The event as a structured-mode CloudEvent 1.0 whose data is the canonical event.
    static func cloudEvent(_ stored: StoredEvent) -> JSON {
        let event = stored.event
        return .object([
            ("specversion", "1.0"),
            ("id", .string(event.id)),
            ("source", .string("harbinger/\(event.sourceName)")),
            ("type", .string("dev.harbinger.\(event.type.rawValue)")),
            ("time", .string(event.occurredAt ?? rfc3339(millis: stored.receivedAt))),
            ("subject", .string(event.image)),
            ("datacontenttype", "application/json"),
            ("data", event.json),
        ])
    }

    /// `host:port` of an absolute URL, with the scheme's default port when none is written.
    static func hostAndPort(_ url: String) -> String {
        guard let separator = url.range(of: "://") else { return url }
        let scheme = url[..<separator.lowerBound].lowercased()
        var authority = Substring(url[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host = authority.lowercased()
        let hasPort = host.hasPrefix("[") ? host.contains("]:") : host.contains(":")
        return hasPort ? host : "\(host):\(scheme == "https" ? 443 : 80)"
    }
}

/// Why an attempt could not even be sent.
struct RequestProblem: Error, Sendable {
    /// The attempt's status.
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
