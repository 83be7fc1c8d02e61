/// Harbinger's HTTP interface: the webhook endpoint in the connections' pipeline, the probes in a Hummingbird router.
import Hummingbird
import HummingbirdCore
import Runner

/// Builds the server's router and the HTTP/1 server that answers webhooks in its pipeline.
enum HTTPServer {
    /// The body limit when neither a source nor the rules' `server.max_body` sets one: 1 MiB.
    static let defaultMaxBody = 1 << 20

    /// The HTTP/1 server: `POST /hooks/<source>` is answered by `HookChannelHandler`, one per connection,
    /// before Hummingbird's router sees it; every other request goes on to the router.
    static func server(hooks: HookResponder) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in HookHTTP1Channel(responder: responder, hooks: hooks) }
    }

    /// The router: `GET /healthz`, `GET /readyz` and `GET /metrics`, and the JSON 404 of anything else.
    static func router(
        isReady: @escaping @Sendable () async -> Bool,
        metricsText: @escaping @Sendable () -> String
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.get("/healthz") { _, _ in
            Response.json(.ok, StatusBody(status: "ok"))
        }
        router.get("/readyz") { _, _ in
            guard await isReady() else {
                return Response.json(.serviceUnavailable, ErrorBody(error: "not ready", detail: "the store or the rules are not ready yet"),
                                     headers: [.retryAfter: "5"])
            }
            return Response.json(.ok, StatusBody(status: "ready"))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metricsText())))
        }
        return router
    }
}
