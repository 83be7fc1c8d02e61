/// Harbinger's HTTP interface: the webhook endpoint and the probes, as one Hummingbird router.
import Hummingbird
import Runner

/// Builds the server's router.
enum HTTPServer {
    /// The body limit when neither a source nor the rules' `server.max_body` sets one: 1 MiB.
    static let defaultMaxBody = 1 << 20

    /// The router: `POST /hooks/{source}`, `GET /healthz`, `GET /readyz` and `GET /metrics`.
    static func router(
        catalog: RulesCatalog,
        ingestor: Ingestor,
        defaultMaxBody: Int = defaultMaxBody,
        isReady: @escaping @Sendable () async -> Bool,
        metricsText: @escaping @Sendable () -> String
    ) -> Router<HookRequestContext> {
        let router = Router(context: HookRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        let hooks = HookResponder(catalog: catalog, ingestor: ingestor, defaultMaxBody: defaultMaxBody)
        router.post("/hooks/{source}") { request, context in
            await hooks.respond(to: request, context: context)
        }
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
