/// `POST /hooks/<source>`: find the source, authenticate, check the media type and size, then ingest durably.
import Foundation
import Hummingbird
import Logging
import Metrics
import Runner

/// Answers webhook deliveries for every source of the current rules.
struct HookResponder: Sendable {
    /// The rules in force; re-read on every request so a reload applies at once.
    let catalog: RulesCatalog
    /// The ingest path: decode, route, store.
    let ingestor: Ingestor
    /// The body limit when neither the source nor the rules' `server.max_body` sets one.
    let defaultMaxBody: Int

    /// Handles one request; every outcome, refusals included, is a JSON answer.
    func respond(to request: Request, context: HookRequestContext) async -> Response {
        let name = context.parameters.get("source") ?? ""
        let file = catalog.current.file
        guard let source = file.source(named: name) else {
            return reject(.unknownSource(name), source: nil, context: context)
        }
        do {
            return try await handle(request, source: source, server: file.server, context: context)
        } catch let rejection as HookRejection {
            return reject(rejection, source: source.name, context: context)
        } catch {
            return reject(.unreadableBody, source: source.name, context: context)
        }
    }

    private func handle(_ request: Request, source: Source, server: ServerSettings, context: HookRequestContext) async throws -> Response {
        let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let authenticator = SourceAuthenticator(source: source)
        // The query and the peer's address are read only for the forms that check them.
        var auth = AuthRequest(headers: headers, query: authenticator.needsQuery ? Self.queryItems(request) : [],
                               peer: authenticator.needsPeer ? context.peerAddress : nil)
        // Forms that need no body are checked before reading it, so strangers cannot make us buffer anything.
        if case .denied(let reason) = authenticator.authenticate(auth, scope: .withoutBody) {
            throw HookRejection.unauthorized(reason)
        }
        let headerOnly = Payload(body: [], headers: headers)
        if let reason = HookMediaTypes.rejection(headerOnly, kind: source.kind) {
            throw HookRejection.unsupportedMediaType(reason)
        }
        let limit = Int(clamping: source.maxBody?.bytes ?? server.maxBody?.bytes ?? Int64(defaultMaxBody))
        auth.body = try await Self.collect(request, limit: limit)
        if authenticator.needsBody, case .denied(let reason) = authenticator.authenticate(auth, scope: .bodyOnly) {
            throw HookRejection.unauthorized(reason)
        }
        let outcome: IngestResponse
        do {
            outcome = try await ingestor.ingest(Payload(body: auth.body, headers: headers), source: source)
        } catch let error as DecodeError {
            throw HookRejection.invalidPayload(error.description)
        } catch {
            context.logger.error("the store could not record a request", metadata: ["source": "\(source.name)", "error": "\(error)"])
            throw HookRejection.storeUnavailable
        }
        return answer(outcome, source: source.name, context: context)
    }

    private func answer(_ outcome: IngestResponse, source: String, context: HookRequestContext) -> Response {
        switch outcome {
        case .accepted(let result, let deliveries):
            count(source: source, outcome: "accepted")
            // Events that matched nothing are the bulk of a registry's traffic (pulls, other repositories):
            // logged at debug, so the info log shows what Harbinger acted on.
            context.logger.log(level: deliveries > 0 ? .info : .debug, "accepted events", metadata: [
                "source": "\(source)", "events": "\(result.accepted.joined(separator: ","))", "deliveries": "\(deliveries)",
            ])
            return .json(.accepted, AcceptedBody(accepted: result.accepted, duplicates: result.duplicates, deliveries: deliveries).json)
        case .duplicate(let result):
            count(source: source, outcome: "duplicate")
            return .json(.ok, DuplicateBody(accepted: [], duplicates: result.duplicates).json)
        case .ignored(let reason):
            count(source: source, outcome: "ignored")
            return .json(.ok, IgnoredBody(ignored: reason))
        }
    }

    private func reject(_ rejection: HookRejection, source: String?, context: HookRequestContext) -> Response {
        // Unknown names come from the URL: they are not used as labels, so strangers cannot grow the metrics.
        if let source { count(source: source, outcome: rejection.metricReason) }
        Counter(label: "harbinger_requests_rejected_total", dimensions: [("reason", rejection.metricReason)]).increment()
        context.logger.notice("refused a webhook", metadata: [
            "source": "\(source ?? "-")", "status": "\(rejection.status.code)", "detail": "\(rejection.body.detail)",
        ])
        return rejection.response
    }

    private func count(source: String, outcome: String) {
        MetricsCache.counter("harbinger_requests_total", [("source", source), ("outcome", outcome)]).increment()
    }

    /// The body, refused as soon as it passes `limit`: a Content-Length over it is refused before reading anything.
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw HookRejection.tooLarge(limit: limit)
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard buffer.readableBytes <= limit - bytes.count else { throw HookRejection.tooLarge(limit: limit) }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    /// The query items, names and values percent-decoded.
    static func queryItems(_ request: Request) -> [(name: String, value: String)] {
        request.uri.queryParameters.map { item in
            let name = String(item.key)
            return (name: name.removingPercentEncoding ?? name, value: String(item.value))
        }
    }
}
