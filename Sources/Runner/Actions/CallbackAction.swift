/// The `callback` action: tells Docker Hub how a webhook chain went, at the event's callback_url.
import AsyncHTTPClient
import Foundation

/// Posts `{state, description, context, target_url}` to a Docker Hub event's `callback_url`.
public struct CallbackAction: ActionPlugin {
    /// The options it runs.
    public typealias Config = CallbackActionConfig

    private let exchange: HTTPExchange

    /// Creates the plugin over the server's shared `HTTPClient`.
    public init(httpClient: HTTPClient, clock: any WallClock = SystemClock()) {
        exchange = HTTPExchange(client: httpClient, clock: clock)
    }

    /// Makes one attempt.
    public func run(_ config: CallbackActionConfig, context: DeliveryContext) async -> AttemptOutcome {
        guard let url = context.event.event.callbackURL, !url.isEmpty else {
            return AttemptOutcome(.failure, status: "no callback_url")
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host?.isEmpty == false else {
            return AttemptOutcome(.failure, status: "invalid callback_url")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        for header in HTTPExchange.identityHeaders(context) {
            request.headers.replaceOrAdd(name: header.name, value: header.value)
        }
        request.body = .bytes(Array(Self.payload(config, context: context).serialized().utf8))
        return await exchange.send(request, timeout: context.timeout)
    }

    /// The callback URL's `host:port`.
    public func concurrencyKey(_ config: CallbackActionConfig, context: DeliveryContext) -> String {
        HTTPAction.hostAndPort(context.event.event.callbackURL ?? "")
    }

    /// Docker Hub's callback body: failure when an earlier step of the chain finally failed.
    static func payload(_ config: CallbackActionConfig, context: DeliveryContext) -> JSON {
        let event = context.event.event
        let failed = context.delivery.chainFailed
        let rule = context.rule.name
        let description = config.description?.render(event)
            ?? (failed ? "A step of rule '\(rule)' failed" : "Every step of rule '\(rule)' succeeded")
        var members: [(String, JSON)] = [
            ("state", .string(failed ? "failure" : "success")),
            ("description", .string(description)),
            ("context", .string(config.context?.render(event) ?? "Harbinger")),
        ]
        if let target = config.targetURL?.render(event) {
            members.append(("target_url", .string(target)))
        }
        return .object(members)
    }
}
