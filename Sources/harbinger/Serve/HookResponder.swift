/// `POST /hooks/<source>`: find the source, authenticate, check the media type and size, then ingest durably.
///
/// The steps follow the request as it arrives, so `HookChannelHandler` can run each one as soon as it can:
/// `start` on the request's head (auth forms that need no body, the media type, a declared length over the
/// limit), `finish` on the whole body (body auth, decoding, routing), and `commit` only when events must
/// be stored. Nothing here waits except `commit`.
import Foundation
import HTTPTypes
import Logging
import Metrics
import Runner

/// An answer of the webhook endpoint: a status and a JSON body.
struct HookAnswer: Sendable {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// The body, a JSON object.
    let json: String
    /// A `Retry-After` value, for the refusals a sender should retry later.
    var retryAfter: String? = nil
}

/// Answers webhook deliveries for every source of the current rules.
struct HookResponder: Sendable {
    /// The rules in force; re-read on every request so a reload applies at once.
    let catalog: RulesCatalog
    /// The ingest path: decode, route, store.
    let ingestor: Ingestor
    /// The body limit when neither the source nor the rules' `server.max_body` sets one.
    let defaultMaxBody: Int
    /// Where accepted and refused requests are logged.
    var logger = Logger(label: "harbinger")

    /// What the head of a request tells: the source named in the path, the headers, the raw query, the peer.
    struct Head {
        /// The `<source>` of the path, as sent (not percent-decoded).
        let source: Substring
        /// The header fields in order (names lower-cased), with no body yet.
        let payload: Payload
        /// The query string after `?`, if any.
        let query: Substring?
        /// The TCP peer's address.
        let peer: IPAddress?
    }

    /// A request whose head passed every check it allows: its body is next.
    struct BodyWait: Sendable {
        /// The rules the request is checked and routed against, from its head to its routing.
        let rules: LoadedRules
        let source: Source
        /// The headers, with no body yet.
        let payload: Payload
        let authenticator: SourceAuthenticator
        var auth: AuthRequest
        /// The most body bytes to take, from the source, else the rules' server block, else the default.
        let limit: Int
        /// The TCP peer's address, for the log.
        let peer: IPAddress?
    }

    /// Where `start` left a request.
    enum Start {
        /// Refused on its head.
        case answer(HookAnswer)
        /// Read the body (at most `limit` bytes), then `finish`.
        case readBody(BodyWait)
    }

    /// Where `finish` left a request.
    enum Finish {
        /// Answered without storing anything.
        case answer(HookAnswer)
        /// Store it (`commit`), then answer.
        case commit(Commit)
    }

    /// A decoded and routed request with events to store.
    struct Commit: Sendable {
        let pending: PendingIngest
        let source: String
        let peer: IPAddress?
    }

    /// The checks a request's head allows: the source, the auth forms that need no body, the Content-Type,
    /// a declared length over the limit. Forms that need no body are checked before reading it, so strangers
    /// cannot make us buffer anything.
    func start(_ head: Head) -> Start {
        let rules = catalog.current
        guard let source = rules.file.source(named: String(head.source)) else {
            return .answer(reject(.unknownSource(String(head.source)), source: nil, peer: head.peer))
        }
        let authenticator = SourceAuthenticator(source: source)
        // The query and the peer's address are read only for the forms that check them.
        let auth = AuthRequest(headers: head.payload.headers, query: authenticator.needsQuery ? Self.queryItems(head.query) : [],
                               peer: authenticator.needsPeer ? head.peer : nil)
        if case .denied(let reason) = authenticator.authenticate(auth, scope: .withoutBody) {
            return .answer(reject(.unauthorized(reason), source: source.name, peer: head.peer))
        }
        if let reason = HookMediaTypes.rejection(head.payload, kind: source.kind) {
            return .answer(reject(.unsupportedMediaType(reason), source: source.name, peer: head.peer))
        }
        let limit = Int(clamping: source.maxBody?.bytes ?? rules.file.server.maxBody?.bytes ?? Int64(defaultMaxBody))
        let wait = BodyWait(rules: rules, source: source, payload: head.payload, authenticator: authenticator, auth: auth, limit: limit,
                            peer: head.peer)
        if let declared = head.payload.header("content-length").flatMap({ Int($0) }), declared > limit {
            return .answer(tooLarge(wait))
        }
        return .readBody(wait)
    }

    /// The refusal of a body over the limit.
    func tooLarge(_ wait: BodyWait) -> HookAnswer {
        refuse(wait, .tooLarge(limit: wait.limit))
    }

    /// A refusal of a request whose body was being read (too large, too slow).
    func refuse(_ wait: BodyWait, _ rejection: HookRejection) -> HookAnswer {
        reject(rejection, source: wait.source.name, peer: wait.peer)
    }

    /// The checks of the whole body: auth forms over it, then decoding and routing.
    func finish(_ wait: BodyWait, body: [UInt8]) -> Finish {
        var auth = wait.auth
        auth.body = body
        if wait.authenticator.needsBody, case .denied(let reason) = wait.authenticator.authenticate(auth, scope: .bodyOnly) {
            return .answer(reject(.unauthorized(reason), source: wait.source.name, peer: wait.peer))
        }
        var payload = wait.payload
        payload.body = body
        do throws(DecodeError) {
            switch try ingestor.begin(payload, source: wait.source, rules: wait.rules) {
            case .answered(let outcome): return .answer(answer(outcome, source: wait.source.name, peer: wait.peer))
            case .toStore(let pending): return .commit(Commit(pending: pending, source: wait.source.name, peer: wait.peer))
            }
        } catch {
            return .answer(reject(.invalidPayload(error.description), source: wait.source.name, peer: wait.peer))
        }
    }

    /// Stores the request's events and deliveries; answers once they are durable.
    func commit(_ commit: Commit) async -> HookAnswer {
        do {
            return answer(try await ingestor.commit(commit.pending), source: commit.source, peer: commit.peer)
        } catch {
            logger.error("the store could not record a request", metadata: ["source": "\(commit.source)", "error": "\(error)"])
            return reject(.storeUnavailable, source: commit.source, peer: commit.peer)
        }
    }

    private func answer(_ outcome: IngestResponse, source: String, peer: IPAddress?) -> HookAnswer {
        switch outcome {
        case .accepted(let result, let deliveries):
            count(source: source, outcome: "accepted")
            // Events that matched nothing are the bulk of a registry's traffic (pulls, other repositories):
            // logged at debug, so the info log shows what Harbinger acted on.
            logger.log(level: deliveries > 0 ? .info : .debug, "accepted events", metadata: [
                "source": "\(source)", "events": "\(result.accepted.joined(separator: ","))", "deliveries": "\(deliveries)",
                "peer": "\(peer.map(String.init(describing:)) ?? "-")",
            ])
            let body = AcceptedBody(accepted: result.accepted, duplicates: result.duplicates, deliveries: deliveries)
            return HookAnswer(status: .accepted, json: body.json.serialized())
        case .duplicate(let result):
            count(source: source, outcome: "duplicate")
            return HookAnswer(status: .ok, json: DuplicateBody(accepted: [], duplicates: result.duplicates).json.serialized())
        case .ignored(let reason):
            count(source: source, outcome: "ignored")
            return HookAnswer(status: .ok, json: JSONText.encoded(IgnoredBody(ignored: reason)))
        }
    }

    private func reject(_ rejection: HookRejection, source: String?, peer: IPAddress?) -> HookAnswer {
        // Unknown names come from the URL: they are not used as labels, so strangers cannot grow the metrics.
        if let source { count(source: source, outcome: rejection.metricReason) }
        Counter(label: "harbinger_requests_rejected_total", dimensions: [("reason", rejection.metricReason)]).increment()
        logger.notice("refused a webhook", metadata: [
            "source": "\(source ?? "-")", "status": "\(rejection.status.code)", "detail": "\(rejection.body.detail)",
            "peer": "\(peer.map(String.init(describing:)) ?? "-")",
        ])
        return rejection.answer
    }

    private func count(source: String, outcome: String) {
        MetricsCache.counter("harbinger_requests_total", [("source", source), ("outcome", outcome)]).increment()
    }

    /// The items of a query string, names and values percent-decoded (`+` is not a space, as in Hummingbird's
    /// own query parsing); an item without `=` has an empty value.
    static func queryItems(_ query: Substring?) -> [(name: String, value: String)] {
        guard let query else { return [] }
        return query.split(separator: "&").map { item in
            let name = item.prefix { $0 != "=" }
            let value = item.dropFirst(name.count + 1)
            return (name: decoded(name), value: decoded(value))
        }
    }

    private static func decoded(_ text: Substring) -> String {
        let text = String(text)
        return text.removingPercentEncoding ?? text
    }
}
