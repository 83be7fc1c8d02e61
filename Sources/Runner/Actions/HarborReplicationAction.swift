/// The `harbor-replication` action: starts an existing replication policy in Harbor.
import AsyncHTTPClient
import Foundation

/// `POST {url}/api/v2.0/replication/executions` with `{"policy_id": N}` and Basic auth; Harbor answers 201.
public struct HarborReplicationAction: ActionPlugin {
    /// The options it runs.
    public typealias Config = HarborReplicationActionConfig

    private let exchange: HTTPExchange

    /// Creates the plugin over the server's shared `HTTPClient`.
    public init(httpClient: HTTPClient, clock: any WallClock = SystemClock()) {
        exchange = HTTPExchange(client: httpClient, clock: clock)
    }

    /// Makes one attempt.
    public func run(_ config: HarborReplicationActionConfig, context: DeliveryContext) async -> AttemptOutcome {
        var base = config.url.render(context.event.event)
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + "/api/v2.0/replication/executions"
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host?.isEmpty == false else {
            return AttemptOutcome(.failure, status: "invalid URL after rendering: \(url)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        if let credentials = config.credentials {
            request.headers.replaceOrAdd(name: "Authorization", value: RegistryClient.basic(credentials))
        }
        for header in HTTPExchange.identityHeaders(context) {
            request.headers.replaceOrAdd(name: header.name, value: header.value)
        }
        request.body = .bytes(Array(#"{"policy_id":\#(config.policyID)}"#.utf8))
        if scheme == "https", config.insecure {
            request.tlsConfiguration = .makeClientConfiguration()
            request.tlsConfiguration?.certificateVerification = .none
        }
        return await exchange.send(request, timeout: context.timeout)
    }

    /// Harbor's `host:port`.
    public func concurrencyKey(_ config: HarborReplicationActionConfig, context: DeliveryContext) -> String {
        HTTPAction.hostAndPort(config.url.text)
    }
}
