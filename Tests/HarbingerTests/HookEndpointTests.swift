import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing
@testable import harbinger
import Runner

/// The rules every endpoint test runs with: sources of several kinds and every auth form.
private let testRules = """
    version: 1
    server:
      max_body: 1MiB
    sources:
      - name: registry
        kind: distribution
        auth: { bearer: e2e-token }
      - name: open
        kind: distribution
      - name: small
        kind: distribution
        max_body: 4KiB
      - name: big
        kind: distribution
        max_body: 3MiB
      - name: hub
        kind: dockerhub
        auth: { query: token, value: "hub-query-secret" }
      - name: harbor
        kind: harbor
        auth: { header: Authorization, value: "Bearer harbor-secret" }
      - name: gh
        kind: ghcr
        auth: { hmac: sha256, header: X-Hub-Signature-256, secret: "It's a Secret to Everybody" }
      - name: nexus
        kind: nexus
        auth: { hmac: sha1, header: X-Nexus-Webhook-Signature, secret: nexus-webhook-secret }
      - name: ecr
        kind: ecr
        auth:
          - basic: { username: aws, password: "ecr-basic-password" }
      - name: ce
        kind: cloudevents
      - name: combo
        kind: distribution
        auth:
          - { bearer: "combo-bearer-secret" }
          - { query: key, value: "combo-query-secret" }
          - { header: X-Extra, value: "combo-header-secret" }
      - name: local
        kind: distribution
        auth: { cidr: [127.0.0.0/8, "::1"] }
      - name: lan
        kind: distribution
        auth: { cidr: [10.0.0.0/8] }
        trusted_proxies: [127.0.0.0/8, "::1"]
      - name: lan-direct
        kind: distribution
        auth: { cidr: [10.0.0.0/8] }
    rules:
      - name: notify
        when: { event: push }
        do:
          - http: { url: "https://deploy.example.com/hook" }
    """

/// Every secret of `testRules`: no answer may contain one.
private let secrets = ["e2e-token", "hub-query-secret", "harbor-secret", "It's a Secret to Everybody", "nexus-webhook-secret",
                       "ecr-basic-password", "combo-bearer-secret", "combo-query-secret", "combo-header-secret"]

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("RouterTests/Fixtures")

/// A server over a real SQLite store in a fresh temporary directory, removed when the server goes.
private final class HookServer: Sendable {
    let store: SQLiteStore
    let catalog: RulesCatalog
    let ingestor: Ingestor
    let ready: Bool
    private let directory: URL

    init(rules: String = testRules, ready: Bool = true) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-hooks-\(UUID().uuidString)")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let rulesPath = directory.appendingPathComponent("rules.yml").path
        try Data(rules.utf8).write(to: URL(fileURLWithPath: rulesPath))
        let loaded = RulesLoader(environment: [:]).load(text: rules, file: rulesPath)
        let file = try #require(loaded.rules, "\(loaded.diagnostics)")
        store = try SQLiteStore(path: directory.appendingPathComponent("harbinger.db").path)
        let version = try await store.saveRules(try RulesSnapshot.read(path: rulesPath), now: SystemClock().now())
        catalog = RulesCatalog(current: LoadedRules(file: file, version: version), store: store, environment: [:])
        ingestor = Ingestor(store: store, catalog: catalog)
        self.ready = ready
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The HTTP server of `harbinger serve` (its webhook handler and its router), in an application that logs
    /// only critical messages. Tests run it live, on a loopback port: the webhook endpoint is answered in the
    /// connection's pipeline, which Hummingbird's in-process `.router` test mode has none of.
    var application: some ApplicationProtocol {
        let ready = self.ready
        let router = HTTPServer.router(
            isReady: { ready },
            metricsText: { "# TYPE harbinger_requests_total counter\nharbinger_requests_total 1\n" })
        var logger = Logger(label: "hook-endpoint-tests")
        logger.logLevel = .critical
        return Application(router: router, server: HTTPServer.server(hooks: responder(logger: logger)),
                           configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }

    /// The webhook endpoint's responder over this server's rules and store.
    func responder(logger: Logger) -> HookResponder {
        HookResponder(catalog: catalog, ingestor: ingestor, defaultMaxBody: HTTPServer.defaultMaxBody, logger: logger)
    }
}

/// One answer, with its body parsed as a JSON object.
private struct Answer {
    let status: Int
    let headers: HTTPFields
    let text: String
    let json: [String: Any]?

    init(_ response: TestResponse) {
        status = response.status.code
        headers = response.headers
        text = String(buffer: response.body)
        json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    var error: String? { json?["error"] as? String }
    var detail: String? { json?["detail"] as? String }
    func strings(_ key: String) -> [String]? { json?[key] as? [String] }
}

private func fields(_ pairs: [(String, String)]) -> HTTPFields {
    var fields = HTTPFields()
    for (name, value) in pairs {
        if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
    }
    return fields
}

private func post(_ client: some TestClientProtocol, _ uri: String, _ body: [UInt8], _ headers: [(String, String)]) async throws -> Answer {
    Answer(try await client.executeRequest(uri: uri, method: .post, headers: fields(headers), body: ByteBuffer(bytes: body)))
}

private func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, _ headers: [(String, String)]) async throws -> Answer {
    try await post(client, uri, Array(body.utf8), headers)
}

/// A stored fixture: the body bytes and the headers, less the hop-by-hop ones a test client sets itself.
private func fixture(_ dir: String, _ name: String) throws -> (body: [UInt8], headers: [(String, String)]) {
    let base = fixtures.appendingPathComponent(dir).appendingPathComponent(name)
    let body = try Data(contentsOf: base.appendingPathExtension("json"))
    let text = try String(contentsOf: base.appendingPathExtension("headers"), encoding: .utf8)
    let headers = text.split(whereSeparator: \.isNewline).compactMap { line -> (String, String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        guard !["host", "content-length"].contains(name.lowercased()) else { return nil }
        return (name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    return (Array(body), headers)
}

/// A Distribution push envelope of one manifest, serialised by JSONSerialization so any string is escaped properly.
private func distributionPush(id: String = UUID().uuidString, repository: String = "team/app", tag: String = "1.0",
                              size: Any = 345) -> String {
    let envelope: [String: Any] = ["events": [[
        "id": id, "timestamp": "2026-11-22T15:24:31Z", "action": "push",
        "target": ["mediaType": "application/vnd.oci.image.manifest.v1+json", "size": size, "repository": repository, "tag": tag,
                   "digest": "sha256:5b2d4841683435f1e08c552725da74568a7bc814950e70288f3883f2e95fc263"],
        "request": ["host": "registry.example.com"],
    ]]]
    let data = (try? JSONSerialization.data(withJSONObject: envelope)) ?? Data()
    return String(decoding: data, as: UTF8.self)
}

private let distributionJSON = ("Content-Type", "application/vnd.docker.distribution.events.v1+json")

private func hexHMAC256(_ body: [UInt8], secret: String) -> String {
    HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
}

struct HookEndpointTests {
    // MARK: - Accepting, duplicates, ignoring

    @Test func aCapturedDistributionPushIsAcceptedThenAnsweredAsADuplicate() async throws {
        let server = try await HookServer()
        let push = try fixture("distribution-captured", "03-push-manifest")
        try await server.application.test(.live) { client in
            let first = try await post(client, "/hooks/registry", push.body, push.headers)
            #expect(first.status == 202, "\(first.text)")
            #expect(first.strings("accepted") == ["f184491d-051c-4e6f-80f4-4fd27dfb8492"])
            #expect(first.strings("duplicates") == [])
            #expect(first.json?["deliveries"] as? Int == 1)
            #expect(first.headers[.contentType] == "application/json")

            let again = try await post(client, "/hooks/registry", push.body, push.headers)
            #expect(again.status == 200, "\(again.text)")
            #expect(again.strings("accepted") == [])
            #expect(again.strings("duplicates") == ["f184491d-051c-4e6f-80f4-4fd27dfb8492"])
        }
        let stored = try await server.store.event(id: "f184491d-051c-4e6f-80f4-4fd27dfb8492")
        #expect(stored?.payload == push.body, "the original bytes are kept")
        let deliveries = try await server.store.deliveries(DeliveryQuery(eventID: "f184491d-051c-4e6f-80f4-4fd27dfb8492"))
        #expect(deliveries.map(\.rule) == ["notify"])
    }

    @Test func anEventNoRuleMatchesIsAcceptedWithoutBeingStored() async throws {
        let server = try await HookServer()
        let pull = try fixture("distribution-captured", "07-pull-manifest")
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(pull.body)) as? [String: Any])
        let id = try #require((envelope["events"] as? [[String: Any]])?.first?["id"] as? String)
        try await server.application.test(.live) { client in
            let answer = try await post(client, "/hooks/registry", pull.body, pull.headers)
            #expect(answer.status == 202, "\(answer.text)")
            #expect(answer.strings("accepted") == [id])
            #expect(answer.json?["deliveries"] as? Int == 0)
        }
        #expect(try await server.store.event(id: id) == nil, "nothing would run for it, so nothing is written")
    }

    @Test func aBlobOnlyEventIsIgnored() async throws {
        let server = try await HookServer()
        let blob = try fixture("distribution-captured", "01-push-blob")
        try await server.application.test(.live) { client in
            let answer = try await post(client, "/hooks/registry", blob.body, blob.headers)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json?["ignored"] as? String == "the payload holds no routable events")
        }
    }

    @Test func signedGHCRAndNexusFixturesAreAccepted() async throws {
        let server = try await HookServer()
        let ghcr = try fixture("ghcr", "package-published")
        let nexus = try fixture("nexus", "component-created")
        try await server.application.test(.live) { client in
            let github = try await post(client, "/hooks/gh", ghcr.body, ghcr.headers)
            #expect(github.status == 202, "\(github.text)")
            let sonatype = try await post(client, "/hooks/nexus", nexus.body, nexus.headers)
            #expect(sonatype.status == 202, "\(sonatype.text)")
            var tampered = nexus.body
            tampered[tampered.count - 2] = UInt8(ascii: " ")
            let forged = try await post(client, "/hooks/nexus", tampered, nexus.headers)
            #expect(forged.status == 401)
            #expect(forged.detail == "signature in header X-Nexus-Webhook-Signature does not match the body")
        }
    }

    @Test func aFormEncodedGitHubDeliveryIsAcceptedWithItsSignatureOverTheRawBody() async throws {
        let server = try await HookServer()
        let ghcr = try fixture("ghcr", "registry_package-published")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let json = String(decoding: ghcr.body, as: UTF8.self)
        let form = Array(("payload=" + (json.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")).utf8)
        let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("X-GitHub-Event", "registry_package"),
                       ("X-Hub-Signature-256", "sha256=" + hexHMAC256(form, secret: "It's a Secret to Everybody"))]
        try await server.application.test(.live) { client in
            let answer = try await post(client, "/hooks/gh", form, headers)
            #expect(answer.status == 202, "\(answer.text)")
            let unsigned = try await post(client, "/hooks/gh", form, Array(headers.prefix(2)))
            #expect(unsigned.status == 401)
        }
    }

    // MARK: - Every status code

    @Test func everyRefusalHasItsStatusAndAJSONErrorBody() async throws {
        let server = try await HookServer()
        let push = distributionPush()
        try await server.application.test(.live) { client in
            let unknown = try await post(client, "/hooks/quay-prod", push, [distributionJSON])
            #expect(unknown.status == 404)
            #expect(unknown.error == "unknown source")
            #expect(unknown.detail == "no source named 'quay-prod' is declared in the rules")

            let unauthorized = try await post(client, "/hooks/registry", push, [distributionJSON])
            #expect(unauthorized.status == 401)
            #expect(unauthorized.error == "unauthorized")
            #expect(unauthorized.detail == "missing bearer token in the Authorization header")

            let media = try await post(client, "/hooks/open", push, [("Content-Type", "text/html")])
            #expect(media.status == 415)
            #expect(media.error == "unsupported media type")
            #expect(media.detail == "Content-Type 'text/html' is not accepted by distribution sources; send application/json")

            let large = try await post(client, "/hooks/open", Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1), [distributionJSON])
            #expect(large.status == 413)
            #expect(large.error == "payload too large")
            #expect(large.detail == "the body is larger than the limit of 1048576 bytes")

            let invalid = try await post(client, "/hooks/open", #"{"events": [{"action": "push", "target": {"repository": 7}}]}"#, [distributionJSON])
            #expect(invalid.status == 400)
            #expect(invalid.error == "invalid payload")
            #expect(invalid.detail == "events[0].target.repository: expected a string, found a number")

            let wrongMethod = Answer(try await client.executeRequest(uri: "/hooks/open", method: .get, headers: [:], body: nil))
            #expect(wrongMethod.status == 404)
            #expect(wrongMethod.error == "not found")
            #expect(wrongMethod.detail == "no endpoint GET /hooks/open")
        }
    }

    @Test func aStoreFailureIsA503WithRetryAfter() async throws {
        let server = try await HookServer()
        try server.store.close()
        try await server.application.test(.live) { client in
            let answer = try await post(client, "/hooks/open", distributionPush(), [distributionJSON])
            #expect(answer.status == 503)
            #expect(answer.headers[.retryAfter] == "5")
            #expect(answer.error == "store unavailable")
            #expect(answer.detail == "the event store could not record the request; retry later")
        }
    }

    @Test func bodyLimitsComeFromTheSourceThenTheServer() async throws {
        let server = try await HookServer()
        let padded = distributionPush() + String(repeating: " ", count: 5000)
        let twoMiB = distributionPush() + String(repeating: " ", count: 2 << 20)
        try await server.application.test(.live) { client in
            let small = try await post(client, "/hooks/small", padded, [distributionJSON])
            #expect(small.status == 413)
            #expect(small.detail == "the body is larger than the limit of 4096 bytes")
            #expect(try await post(client, "/hooks/open", padded, [distributionJSON]).status == 202)
            #expect(try await post(client, "/hooks/open", twoMiB, [distributionJSON]).status == 413)
            #expect(try await post(client, "/hooks/big", twoMiB, [distributionJSON]).status == 202)
        }
    }

    @Test func theBodyIsNotReadForARequestThatFailsHeaderAuth() async throws {
        let server = try await HookServer()
        try await server.application.test(.live) { client in
            // Over the limit and unauthenticated: the bearer check comes first, so nothing is buffered.
            let answer = try await post(client, "/hooks/registry", Array(repeating: 0x20, count: 2 << 20), [distributionJSON])
            #expect(answer.status == 401)
        }
    }

    // MARK: - Probes

    @Test func probesAnswerHealthReadinessAndMetrics() async throws {
        let ready = try await HookServer()
        try await ready.application.test(.live) { client in
            let health = Answer(try await client.executeRequest(uri: "/healthz", method: .get, headers: [:], body: nil))
            #expect(health.status == 200)
            #expect(health.json?["status"] as? String == "ok")
            let readiness = Answer(try await client.executeRequest(uri: "/readyz", method: .get, headers: [:], body: nil))
            #expect(readiness.status == 200)
            let metrics = Answer(try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil))
            #expect(metrics.status == 200)
            #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4")
            #expect(metrics.text.contains("harbinger_requests_total 1"))
        }
        let starting = try await HookServer(ready: false)
        try await starting.application.test(.live) { client in
            let readiness = Answer(try await client.executeRequest(uri: "/readyz", method: .get, headers: [:], body: nil))
            #expect(readiness.status == 503)
            #expect(readiness.error == "not ready")
        }
    }

    // MARK: - Client addresses over a real socket

    @Test func cidrAuthUsesThePeerAndForwardedForOnlyFromTrustedProxies() async throws {
        let server = try await HookServer()
        try await server.application.test(.live) { client in
            #expect(try await post(client, "/hooks/local", distributionPush(), [distributionJSON]).status == 202)
            let proxied = try await post(client, "/hooks/lan", distributionPush(), [distributionJSON, ("X-Forwarded-For", "10.1.2.3")])
            #expect(proxied.status == 202, "\(proxied.text)")
            let spoofed = try await post(client, "/hooks/lan", distributionPush(),
                                         [distributionJSON, ("X-Forwarded-For", "10.1.2.3, 192.0.2.7")])
            #expect(spoofed.status == 401)
            #expect(spoofed.detail == "client address 192.0.2.7 is not in an allowed block")
            let direct = try await post(client, "/hooks/lan-direct", distributionPush(), [distributionJSON, ("X-Forwarded-For", "10.1.2.3")])
            #expect(direct.status == 401, "X-Forwarded-For from an untrusted peer is ignored")
        }
    }

    @Test func aLiveServerRefusesATwoMebibyteBody() async throws {
        let server = try await HookServer()
        try await server.application.test(.live) { client in
            let answer = try await post(client, "/hooks/open", distributionPush() + String(repeating: " ", count: 2 << 20), [distributionJSON])
            #expect(answer.status == 413)
            #expect(answer.error == "payload too large")
            let afterwards = try await post(client, "/hooks/open", distributionPush(), [distributionJSON])
            #expect(afterwards.status == 202)
        }
    }
}

// MARK: - A corpus of malformed and hostile requests

/// One request of the corpus and the status it must get.
private struct Probe {
    let name: String
    var method: HTTPRequest.Method = .post
    let uri: String
    var headers: [(String, String)] = [distributionJSON]
    let body: [UInt8]
    let status: Int

    init(_ name: String, _ uri: String, _ body: String, headers: [(String, String)] = [distributionJSON], method: HTTPRequest.Method = .post,
         status: Int) {
        self.init(name, uri, Array(body.utf8), headers: headers, method: method, status: status)
    }

    init(_ name: String, _ uri: String, _ body: [UInt8], headers: [(String, String)] = [distributionJSON], method: HTTPRequest.Method = .post,
         status: Int) {
        self.name = name
        self.uri = uri
        self.headers = headers
        self.body = body
        self.method = method
        self.status = status
    }
}

/// A Distribution envelope with one entry whose `target` is `target` (raw JSON).
private func entry(target: String, action: String = #""push""#) -> String {
    #"{"events": [{"id": "\#(UUID().uuidString)", "action": \#(action), "target": \#(target)}]}"#
}

private let manifest = #""mediaType": "application/vnd.oci.image.manifest.v1+json""#

private func contentTypeProbes() -> [Probe] {
    let push = distributionPush()
    return [
        Probe("text/plain to a Distribution source", "/hooks/open", push, headers: [("Content-Type", "text/plain")], status: 415),
        Probe("application/xml", "/hooks/open", push, headers: [("Content-Type", "application/xml")], status: 415),
        Probe("no Content-Type", "/hooks/open", push, headers: [], status: 415),
        Probe("an empty Content-Type", "/hooks/open", push, headers: [("Content-Type", "")], status: 415),
        Probe("form encoding to a Distribution source", "/hooks/open", push,
              headers: [("Content-Type", "application/x-www-form-urlencoded")], status: 415),
        Probe("multipart", "/hooks/open", push, headers: [("Content-Type", "multipart/form-data; boundary=x")], status: 415),
        Probe("text/html", "/hooks/open", push, headers: [("Content-Type", "text/html; charset=utf-8")], status: 415),
        Probe("application/jsonx", "/hooks/open", push, headers: [("Content-Type", "application/jsonx")], status: 415),
        Probe("a Content-Type of punctuation", "/hooks/open", push, headers: [("Content-Type", ";;;")], status: 415),
        Probe("image/png", "/hooks/open", [0x89, 0x50, 0x4E, 0x47], headers: [("Content-Type", "image/png")], status: 415),
        Probe("JSON with a charset", "/hooks/open", distributionPush(), headers: [("Content-Type", "application/json; charset=utf-8")],
              status: 202),
        Probe("JSON in capitals", "/hooks/open", distributionPush(), headers: [("Content-Type", "APPLICATION/JSON")], status: 202),
        Probe("a CloudEvents structured type", "/hooks/open", distributionPush(),
              headers: [("Content-Type", "application/cloudevents+json")], status: 202),
        Probe("text/plain to a CloudEvents source without ce-specversion", "/hooks/ce", "{}",
              headers: [("Content-Type", "text/plain")], status: 415),
        Probe("CloudEvents binary mode with any Content-Type", "/hooks/ce", "opaque bytes",
              headers: [("Content-Type", "application/octet-stream"), ("ce-specversion", "1.0"), ("ce-type", "com.example.other"),
                        ("ce-id", "1"), ("ce-source", "/x")], status: 200),
        Probe("text/plain to an ECR source (SNS)", "/hooks/ecr", "{}",
              headers: [("Content-Type", "text/plain; charset=UTF-8"), ("Authorization", "Basic " + Data("aws:ecr-basic-password".utf8).base64EncodedString())],
              status: 400),
    ]
}

private func malformedProbes() -> [Probe] {
    [
        Probe("an empty body", "/hooks/open", "", status: 400),
        Probe("truncated JSON", "/hooks/open", #"{"events": ["#, status: 400),
        Probe("truncated inside a string", "/hooks/open", #"{"events": [{"action": "pu"#, status: 400),
        Probe("JSON null", "/hooks/open", "null", status: 400),
        Probe("a top-level array", "/hooks/open", "[]", status: 400),
        Probe("a top-level string", "/hooks/open", #""events""#, status: 400),
        Probe("a top-level number", "/hooks/open", "12345678901234567890", status: 400),
        Probe("trailing garbage", "/hooks/open", #"{"events": []} trailing"#, status: 400),
        Probe("single quotes", "/hooks/open", "{'events': []}", status: 400),
        Probe("events as an object", "/hooks/open", #"{"events": {}}"#, status: 400),
        Probe("events as a string", "/hooks/open", #"{"events": "push"}"#, status: 400),
        Probe("events missing", "/hooks/open", #"{"evnets": []}"#, status: 400),
        Probe("an entry that is a number", "/hooks/open", #"{"events": [1]}"#, status: 400),
        Probe("an entry that is null", "/hooks/open", #"{"events": [null]}"#, status: 400),
        Probe("action as a number", "/hooks/open", #"{"events": [{"action": 5, "target": {}}]}"#, status: 400),
        Probe("action as an object", "/hooks/open", #"{"events": [{"action": {"$ne": 1}, "target": {}}]}"#, status: 400),
        Probe("target missing", "/hooks/open", #"{"events": [{"action": "push"}]}"#, status: 400),
        Probe("target as an array", "/hooks/open", entry(target: "[]"), status: 400),
        Probe("repository missing", "/hooks/open", entry(target: "{\(manifest)}"), status: 400),
        Probe("repository as a number", "/hooks/open", entry(target: #"{\#(manifest), "repository": 1}"#), status: 400),
        Probe("repository as an array", "/hooks/open", entry(target: #"{\#(manifest), "repository": ["a"]}"#), status: 400),
        Probe("tag as an array", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "tag": ["1"]}"#), status: 400),
        Probe("tag as a boolean", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "tag": true}"#), status: 400),
        Probe("digest as an object", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "digest": {}}"#), status: 400),
        Probe("mediaType as a number", "/hooks/open", entry(target: #"{"mediaType": 3, "repository": "a"}"#), status: 400),
        Probe("size as a word", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "size": "big"}"#), status: 400),
        Probe("size of 1e400", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "size": 1e400}"#), status: 400),
        Probe("size of 1e300", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "size": 1e300}"#), status: 400),
        Probe("a fractional size", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "size": 1.5}"#), status: 400),
        Probe("a 400-digit size", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a", "size": \#(String(repeating: "9", count: 400))}"#),
              status: 400),
        Probe("request as a string", "/hooks/open", #"{"events": [{"action": "push", "target": {\#(manifest), "repository": "a"}, "request": "x"}]}"#,
              status: 400),
        Probe("an array nested 100000 deep", "/hooks/open", String(repeating: "[", count: 100_000), status: 400),
        Probe("objects nested 5000 deep", "/hooks/open", String(repeating: #"{"a":"#, count: 5000) + "1" + String(repeating: "}", count: 5000),
              status: 400),
        Probe("deep nesting inside an entry", "/hooks/open",
              entry(target: #"{\#(manifest), "repository": "a", "x": \#(String(repeating: "[", count: 300))\#(String(repeating: "]", count: 300))}"#),
              status: 400),
        Probe("a raw NUL byte", "/hooks/open", [UInt8](#"{"events": ["#.utf8) + [0] + [UInt8]("]}".utf8), status: 400),
        Probe("a raw newline inside a string", "/hooks/open", entry(target: "{\(manifest), \"repository\": \"a\nb\"}"), status: 400),
        Probe("invalid UTF-8 outside strings", "/hooks/open", [0x7B, 0xFF, 0xFE, 0x7D], status: 400),
        // The parser replaces a lone surrogate with U+FFFD, as it does invalid UTF-8 inside strings: just data.
        Probe("a lone surrogate escape", "/hooks/open", entry(target: #"{\#(manifest), "repository": "\ud800"}"#), status: 202),
        Probe("no events at all", "/hooks/open", #"{"events": []}"#, status: 200),
        Probe("an unknown action", "/hooks/open", entry(target: #"{\#(manifest), "repository": "a"}"#, action: #""frobnicate""#), status: 200),
    ]
}

private func hostileDataProbes() -> [Probe] {
    let valid = [
        ("a repository with '; rm -rf /'", "team/app; rm -rf /", "1.0"),
        ("a repository with $(id)", "$(id)", "latest"),
        ("a tag with backticks", "team/app", "`reboot`"),
        ("a repository with a newline", "team/app\nX-Injected: yes", "1.0"),
        ("a tag with a NUL", "team/app", "1.0\u{0}; id"),
        ("a path-traversal tag", "team/app", "../../../etc/passwd"),
        ("shell redirection", "team/app > /etc/passwd", "1.0 | nc evil 1"),
        ("a template in the repository", "{{#each}}{{/each}}${HOME}", "1.0"),
        ("emoji and right-to-left marks", "team/🚀\u{202E}ppa", "1.0"),
        ("a 100 KiB repository", String(repeating: "a", count: 100 << 10), "1.0"),
        ("quotes and backslashes", #"team/"app\"#, #"1.0'"\"#),
        ("SQL in the tag", "team/app", "1'; DROP TABLE events; --"),
    ]
    var probes = valid.map { Probe($0.0, "/hooks/open", distributionPush(repository: $0.1, tag: $0.2), status: 202) }
    probes.append(Probe("a negative size", "/hooks/open", distributionPush(size: -1), status: 202))
    probes.append(Probe("a size of 2^53", "/hooks/open", distributionPush(size: 9_007_199_254_740_992), status: 202))
    probes.append(Probe("invalid UTF-8 inside a string", "/hooks/open",
                        [UInt8](#"{"events": [{"id": "utf8-probe", "action": "push", "target": {\#(manifest), "repository": "a"#.utf8)
                            + [0xC3, 0x28, 0xFF] + [UInt8](#""}}]}"#.utf8), status: 202))
    return probes
}

private func authProbes() -> [Probe] {
    let push = distributionPush()
    func basic(_ text: String) -> (String, String) { ("Authorization", "Basic " + Data(text.utf8).base64EncodedString()) }
    let ecr = [("Content-Type", "application/json")]
    return [
        Probe("bearer missing", "/hooks/registry", push, status: 401),
        Probe("bearer wrong", "/hooks/registry", push, headers: [distributionJSON, ("Authorization", "Bearer e2e-tokem")], status: 401),
        Probe("bearer with a suffix", "/hooks/registry", push, headers: [distributionJSON, ("Authorization", "Bearer e2e-token2")], status: 401),
        Probe("bearer empty", "/hooks/registry", push, headers: [distributionJSON, ("Authorization", "Bearer ")], status: 401),
        Probe("bearer under the Basic scheme", "/hooks/registry", push, headers: [distributionJSON, basic("e2e-token")], status: 401),
        Probe("bearer in the query instead", "/hooks/registry?access_token=e2e-token", push, status: 401),
        Probe("query token missing", "/hooks/hub", "{}", headers: [("Content-Type", "application/json")], status: 401),
        Probe("query token wrong", "/hooks/hub?token=hub-query-secreT", "{}", headers: [("Content-Type", "application/json")], status: 401),
        Probe("query token under another name", "/hooks/hub?Token=hub-query-secret", "{}", headers: [("Content-Type", "application/json")],
              status: 401),
        Probe("header missing", "/hooks/harbor", "{}", headers: [("Content-Type", "application/json")], status: 401),
        Probe("header wrong", "/hooks/harbor", "{}", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer harbor")],
              status: 401),
        Probe("basic password wrong", "/hooks/ecr", "{}", headers: ecr + [basic("aws:ecr-basic-passwor")], status: 401),
        Probe("basic user wrong", "/hooks/ecr", "{}", headers: ecr + [basic("root:ecr-basic-password")], status: 401),
        Probe("basic not base64", "/hooks/ecr", "{}", headers: ecr + [("Authorization", "Basic %%%")], status: 401),
        Probe("basic without a colon", "/hooks/ecr", "{}", headers: ecr + [basic("aws")], status: 401),
        Probe("hmac missing", "/hooks/gh", "{}", headers: [("Content-Type", "application/json")], status: 401),
        Probe("hmac not hex", "/hooks/gh", "{}", headers: [("Content-Type", "application/json"), ("X-Hub-Signature-256", "sha256=zz")], status: 401),
        Probe("hmac of another body", "/hooks/gh", "{}",
              headers: [("Content-Type", "application/json"),
                        ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")], status: 401),
        Probe("hmac signed with the wrong algorithm", "/hooks/nexus", "{}",
              headers: [("Content-Type", "application/json"), ("X-Nexus-Webhook-Signature", hexHMAC256(Array("{}".utf8), secret: "nexus-webhook-secret"))],
              status: 401),
        Probe("combined forms with one missing", "/hooks/combo?key=combo-query-secret", push,
              headers: [distributionJSON, ("Authorization", "Bearer combo-bearer-secret")], status: 401),
        Probe("combined forms all given", "/hooks/combo?key=combo-query-secret", distributionPush(),
              headers: [distributionJSON, ("Authorization", "Bearer combo-bearer-secret"), ("X-Extra", "combo-header-secret")], status: 202),
        Probe("a peer outside the allowed blocks", "/hooks/lan-direct", push, status: 401),
    ]
}

private func routingProbes() -> [Probe] {
    let push = distributionPush()
    return [
        Probe("an unknown source", "/hooks/nope", push, status: 404),
        Probe("an encoded traversal as the source", "/hooks/..%2F..%2Fetc", push, status: 404),
        Probe("a source name with shell metacharacters", "/hooks/%24(id)%3B", push, status: 404),
        Probe("a very long source name", "/hooks/" + String(repeating: "x", count: 5000), push, status: 404),
        Probe("no source name", "/hooks/", push, status: 404),
        Probe("a path below a source", "/hooks/open/extra", push, status: 404),
        Probe("GET on a hook", "/hooks/open", "", headers: [], method: .get, status: 404),
        Probe("PUT on a hook", "/hooks/open", push, method: .put, status: 404),
        Probe("POST to the health probe", "/healthz", push, status: 404),
    ]
}

extension HookEndpointTests {
    @Test func everyMalformedOrHostileRequestGetsTheRightStatusAndAJSONBody() async throws {
        let server = try await HookServer()
        let corpus = contentTypeProbes() + malformedProbes() + hostileDataProbes() + authProbes() + routingProbes()
        #expect(corpus.count >= 50)
        try await server.application.test(.live) { client in
            for probe in corpus {
                let answer = Answer(try await client.executeRequest(uri: probe.uri, method: probe.method, headers: fields(probe.headers),
                                                                    body: ByteBuffer(bytes: probe.body)))
                #expect(answer.status == probe.status, "\(probe.name): \(answer.text.prefix(300))")
                #expect(answer.json != nil, "\(probe.name): the body is not a JSON object: \(answer.text.prefix(300))")
                if answer.status >= 400 {
                    #expect(answer.error != nil && answer.detail != nil, "\(probe.name): \(answer.text.prefix(300))")
                }
                for secret in secrets {
                    #expect(!answer.text.contains(secret), "\(probe.name) echoes a secret")
                }
            }
        }
        // The server still works after the corpus.
        try await server.application.test(.live) { client in
            let answer = try await post(client, "/hooks/open", distributionPush(), [distributionJSON])
            #expect(answer.status == 202)
        }
    }
}

// MARK: - The webhook handler in a connection's pipeline

/// Records what passes the webhook handler (quiesce events, request heads), as Hummingbird's handlers after it see it.
private final class EventRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    private let events = Mutex<[String]>([])

    var seen: [String] { events.withLock { $0 } }
    var quiesced: Bool { seen.contains("quiesce") }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { events.withLock { $0.append(head.uri) } }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { events.withLock { $0.append("quiesce") } }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Counts the reads asked of the socket (it sits before the webhook handler, on the socket's side).
private final class ReadCounter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = Never
    private let reads = Mutex(0)

    var count: Int { reads.withLock { $0 } }

    func read(context: ChannelHandlerContext) {
        reads.withLock { $0 += 1 }
        context.read()
    }
}

/// A channel with the webhook handler of `server` and a recorder after it, connected to a peer.
private func hookChannel(_ server: HookServer) async throws -> (NIOAsyncTestingChannel, EventRecorder) {
    var logger = Logger(label: "hook-channel-tests")
    logger.logLevel = .critical
    let recorder = EventRecorder()
    let responder = server.responder(logger: logger)
    let channel = try await NIOAsyncTestingChannel { channel in
        try channel.pipeline.syncOperations.addHandlers([HookChannelHandler(responder: responder), recorder])
    }
    try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000))
    return (channel, recorder)
}

private func request(_ method: HTTPMethod, _ uri: String, _ headers: [(String, String)] = []) -> HTTPServerRequestPart {
    .head(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers)))
}

private let end = HTTPServerRequestPart.end(nil)

/// Posts `body` to `path` as one head, one body part and the end.
private func post(_ channel: NIOAsyncTestingChannel, _ path: String, _ body: String, _ headers: [(String, String)] = []) async throws {
    try await channel.writeInbound(request(.POST, path, [distributionJSON] + headers))
    try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: body)))
    try await channel.writeInbound(end)
}

/// Posts the head of a Distribution push to `/hooks/open` and its first ten bytes; returns the whole body.
private func beginPost(_ channel: NIOAsyncTestingChannel) async throws -> [UInt8] {
    let push = Array(distributionPush().utf8)
    try await channel.writeInbound(request(.POST, "/hooks/open", [distributionJSON, ("Content-Length", "\(push.count)")]))
    try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: push.prefix(10))))
    return push
}

/// The next part written, waiting 10 s at most (a store's commit answers from another thread).
private func nextPart(_ channel: NIOAsyncTestingChannel) async throws -> HTTPServerResponsePart {
    for _ in 0..<1000 {
        if let part = try await channel.readOutbound(as: HTTPServerResponsePart.self) { return part }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("nothing was written for 10 s")
    throw CancellationError()
}

/// The next answer written: its head and its body.
private func nextAnswer(_ channel: NIOAsyncTestingChannel) async throws -> (head: HTTPResponseHead, body: String) {
    guard case .head(let head) = try await nextPart(channel) else {
        Issue.record("the answer does not start with a head")
        return (HTTPResponseHead(version: .http1_1, status: .internalServerError), "")
    }
    var body = ""
    while true {
        switch try await nextPart(channel) {
        case .body(.byteBuffer(let buffer)): body += String(buffer: buffer)
        case .body: Issue.record("a body part that is not a buffer")
        case .end: return (head, body)
        case .head: Issue.record("a second head before the end")
        }
    }
}

extension HookEndpointTests {
    @Test(.timeLimit(.minutes(1)))
    func aWebhookBeingStoredHoldsBackAGracefulShutdownAndTheRequestsAfterIt() async throws {
        let server = try await HookServer()
        let (channel, recorder) = try await hookChannel(server)
        try await channel.writeInbound(request(.POST, "/hooks/open", [distributionJSON]))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: distributionPush())))
        // In one turn of the event loop, so the store cannot have answered in between: the webhook's end
        // (its commit starts), a shutdown's quiesce and a pipelined probe. Both wait for the answer.
        let passedAtOnce = try await channel.testingEventLoop.executeInContext {
            let pipeline = channel.pipeline.syncOperations
            pipeline.fireChannelRead(NIOAny(end))
            pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            pipeline.fireChannelRead(NIOAny(request(.GET, "/healthz")))
            pipeline.fireChannelRead(NIOAny(end))
            return recorder.seen
        }
        #expect(passedAtOnce == [], "passed while the webhook was being stored")

        let answer = try await nextAnswer(channel)
        #expect(answer.head.status == .accepted, "\(answer.body)")
        #expect(answer.head.headers["Content-Type"] == ["application/json"])
        #expect(answer.head.headers["Content-Length"] == ["\(answer.body.utf8.count)"])
        #expect(answer.head.headers["Date"].first?.hasSuffix(" GMT") == true)
        // After the answer, in order: the probe (Hummingbird's to answer), then the quiesce, which waits for it there.
        try await channel.testingEventLoop.executeInContext {}
        #expect(recorder.seen == ["/healthz", "quiesce"])
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWebhookAfterAnUnansweredProbeWaitsForTheProbesAnswer() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        try await channel.writeInbound(request(.GET, "/metrics"))
        try await channel.writeInbound(end)
        // An unknown source is refused on its head, at once, unless it waits: so nothing written means it waited.
        try await post(channel, "/hooks/nope", "{}")
        try await post(channel, "/hooks/open", distributionPush())
        #expect(try await channel.readInbound(as: HTTPServerRequestPart.self)?.isHead(uri: "/metrics") == true)
        #expect(try await channel.readInbound(as: HTTPServerRequestPart.self) == end)
        #expect(try await channel.readInbound(as: HTTPServerRequestPart.self) == nil, "a webhook went to Hummingbird")
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil, "a webhook was answered before the probe")

        // Hummingbird answers the probe; then the webhooks are handled, in order.
        try await channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try await channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(try await nextAnswer(channel).head.status == .ok)
        #expect(try await nextAnswer(channel).head.status == .notFound)
        let answer = try await nextAnswer(channel)
        #expect(answer.head.status == .accepted, "\(answer.body)")
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aBodyOverTheLimitIsRefusedAtOnceAndTheConnectionServesTheNextRequest() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        try await channel.writeInbound(request(.POST, "/hooks/small", [distributionJSON]))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(repeating: 0x20, count: 3000)))
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil, "3000 bytes are under the 4 KiB limit")
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(repeating: 0x20, count: 3000)))
        let refused = try await nextAnswer(channel)
        #expect(refused.head.status == .payloadTooLarge)
        #expect(refused.body.contains("the body is larger than the limit of 4096 bytes"))
        // The rest of the refused body is dropped, then the connection goes on.
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(repeating: 0x20, count: 3000)))
        try await channel.writeInbound(end)
        try await post(channel, "/hooks/open", distributionPush())
        #expect(try await nextAnswer(channel).head.status == .accepted)
        #expect(channel.isActive)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWebhookAskingToCloseIsAnsweredThenTheConnectionCloses() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        try await post(channel, "/hooks/nope", "{}", [("Connection", "close")])
        let answer = try await nextAnswer(channel)
        #expect(answer.head.status == .notFound)
        #expect(answer.head.headers["Connection"] == ["close"])
        try await channel.closeFuture.get()
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aSenderExpectingContinueGetsItOnceTheHeadPassesAndARefusalClosesTheConnection() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        try await channel.writeInbound(request(.POST, "/hooks/open", [distributionJSON, ("Expect", "100-continue")]))
        guard case .head(let interim) = try await nextPart(channel) else {
            Issue.record("no interim answer")
            return
        }
        #expect(interim.status == .continue)
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: distributionPush())))
        try await channel.writeInbound(end)
        #expect(try await nextAnswer(channel).head.status == .accepted)

        // Refused on its head, the body never comes: the answer closes the connection.
        try await channel.writeInbound(request(.POST, "/hooks/registry", [distributionJSON, ("Expect", "100-continue")]))
        let refused = try await nextAnswer(channel)
        #expect(refused.head.status == .unauthorized)
        #expect(refused.head.headers["Connection"] == ["close"])
        try await channel.closeFuture.get()
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func anHTTP10SenderKeepingTheConnectionGetsNoContinueAndAKeepAliveAnswer() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        try await channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(
            version: .http1_0, method: .POST, uri: "/hooks/open",
            headers: HTTPHeaders([distributionJSON, ("Expect", "100-continue"), ("Connection", "keep-alive")]))))
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil, "a 1xx answer to HTTP/1.0")
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: distributionPush())))
        try await channel.writeInbound(end)
        let answer = try await nextAnswer(channel)
        #expect(answer.head.status == .accepted)
        #expect(answer.head.headers["Connection"] == ["keep-alive"], "an HTTP/1.0 sender closes unless told otherwise")
        #expect(channel.isActive)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aBodyThatStopsComingIsAnswered408AndTheConnectionCloses() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        let push = try await beginPost(channel)
        await channel.testingEventLoop.advanceTime(by: .seconds(19))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: push.dropFirst(10).prefix(10))))
        // Slow, but never 20 s without a part: still waiting.
        await channel.testingEventLoop.advanceTime(by: .seconds(19))
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        #expect(channel.isActive)
        await channel.testingEventLoop.advanceTime(by: .seconds(3))
        let answer = try await nextAnswer(channel)
        #expect(answer.head.status == .requestTimeout)
        #expect(answer.head.headers["Connection"] == ["close"])
        #expect(answer.body == #"{"detail":"no part of the body arrived for 20 s","error":"request timeout"}"#)
        try await channel.closeFuture.get()
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aGracefulShutdownWaitsTwentySecondsAtMostForABodyThenAnswers503() async throws {
        let server = try await HookServer()
        let (channel, recorder) = try await hookChannel(server)
        let push = try await beginPost(channel)
        try await channel.testingEventLoop.executeInContext {
            channel.pipeline.syncOperations.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        #expect(!recorder.quiesced, "the quiesce passed while a body was being read")
        // A part every five seconds would do outside a shutdown; during one, the body has 20 s.
        for index in 1...3 {
            await channel.testingEventLoop.advanceTime(by: .seconds(5))
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: push.dropFirst(10 * index).prefix(10))))
        }
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        await channel.testingEventLoop.advanceTime(by: .seconds(6))
        let answer = try await nextAnswer(channel)
        #expect(answer.head.status == .serviceUnavailable)
        #expect(answer.head.headers["Retry-After"] == ["5"])
        #expect(answer.body.contains("the server is shutting down and the body did not arrive within 20 s"))
        try await channel.closeFuture.get()
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aBodyStartedFromHeldPartsThatStopsComingIsAnswered408() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        try await channel.writeInbound(request(.GET, "/metrics"))
        try await channel.writeInbound(end)
        // Held behind the probe's answer, then started from the held parts: no read follows to start a check.
        _ = try await beginPost(channel)
        try await channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try await channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(try await nextAnswer(channel).head.status == .ok)
        await channel.testingEventLoop.advanceTime(by: .seconds(41))
        #expect(try await nextAnswer(channel).head.status == .requestTimeout)
        try await channel.closeFuture.get()
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aShutdownDuringACommitGivesTheBodyHeldBehindItTwentySeconds() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        let push = Array(distributionPush().utf8)
        // In one turn: a first webhook (its commit starts), the shutdown, then a second webhook's head and part of
        // its body, held behind the commit and started from the held parts once it is answered.
        try await channel.testingEventLoop.executeInContext {
            let pipeline = channel.pipeline.syncOperations
            pipeline.fireChannelRead(NIOAny(request(.POST, "/hooks/open", [distributionJSON])))
            pipeline.fireChannelRead(NIOAny(HTTPServerRequestPart.body(ByteBuffer(bytes: push))))
            pipeline.fireChannelRead(NIOAny(end))
            pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            pipeline.fireChannelRead(NIOAny(request(.POST, "/hooks/open", [distributionJSON, ("Content-Length", "\(push.count)")])))
            pipeline.fireChannelRead(NIOAny(HTTPServerRequestPart.body(ByteBuffer(bytes: push.prefix(10)))))
            pipeline.fireChannelReadComplete()
        }
        #expect(try await nextAnswer(channel).head.status == .accepted)
        await channel.testingEventLoop.advanceTime(by: .seconds(19))
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        await channel.testingEventLoop.advanceTime(by: .seconds(2))
        #expect(try await nextAnswer(channel).head.status == .serviceUnavailable)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aCheckArmedForAnEarlierBodyDoesNotTimeOutTheNextOne() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        let blob = try fixture("distribution-captured", "01-push-blob").body
        // A body whose last read ended before its end (a chunked body's terminator sent on its own).
        try await channel.testingEventLoop.executeInContext {
            let pipeline = channel.pipeline.syncOperations
            pipeline.fireChannelRead(NIOAny(request(.POST, "/hooks/open", [distributionJSON])))
            pipeline.fireChannelRead(NIOAny(HTTPServerRequestPart.body(ByteBuffer(bytes: blob))))
            pipeline.fireChannelReadComplete()
        }
        try await channel.writeInbound(end)
        #expect(try await nextAnswer(channel).head.status == .ok)
        // The next webhook's head comes just before that body's check is due; its body two seconds later.
        await channel.testingEventLoop.advanceTime(by: .seconds(19))
        try await channel.writeInbound(request(.POST, "/hooks/open", [distributionJSON]))
        await channel.testingEventLoop.advanceTime(by: .seconds(2))
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil, "timed out by the earlier body's check")
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: blob)))
        try await channel.writeInbound(end)
        #expect(try await nextAnswer(channel).head.status == .ok)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aShutdownGivesATricklingBodyTwentySecondsFromTheShutdown() async throws {
        let server = try await HookServer()
        let (channel, _) = try await hookChannel(server)
        let push = Array(distributionPush().utf8)
        try await channel.writeInbound(request(.POST, "/hooks/open", [distributionJSON, ("Content-Length", "\(push.count)")]))
        // A byte a second: slow, but never stalled.
        for index in 0..<17 {
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: push.dropFirst(index).prefix(1))))
            await channel.testingEventLoop.advanceTime(by: .seconds(1))
        }
        try await channel.testingEventLoop.executeInContext {
            channel.pipeline.syncOperations.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        for index in 17..<36 {
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: push.dropFirst(index).prefix(1))))
            await channel.testingEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil, "answered before 20 s of the shutdown")
        await channel.testingEventLoop.advanceTime(by: .seconds(2))
        #expect(try await nextAnswer(channel).head.status == .serviceUnavailable)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWebhookBehindAnAnswerAfterWhichHummingbirdClosesIsNotStored() async throws {
        let server = try await HookServer()
        let (channel, recorder) = try await hookChannel(server)
        try await channel.writeInbound(request(.GET, "/metrics"))
        try await channel.writeInbound(end)
        // A shutdown while Hummingbird owes the probe's answer: it closes the connection after that answer.
        try await channel.testingEventLoop.executeInContext {
            channel.pipeline.syncOperations.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        #expect(recorder.quiesced)
        let id = UUID().uuidString
        try await post(channel, "/hooks/open", distributionPush(id: id))
        try await channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try await channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(try await nextAnswer(channel).head.status == .ok)
        // Not started: it would be stored and never answered. The sender sees the connection close and sends it again.
        // (Started, it would be stored and answered within milliseconds: two seconds show it was not.)
        for _ in 0..<200 {
            #expect(try await channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
            #expect(try await server.store.event(id: id) == nil)
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test(.timeLimit(.minutes(1)))
    func theSocketIsNotReadWhileAnswersWaitForTheSenderToReadThem() async throws {
        let server = try await HookServer()
        let reads = ReadCounter()
        var logger = Logger(label: "hook-channel-tests")
        logger.logLevel = .critical
        let responder = server.responder(logger: logger)
        let channel = try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.addHandlers([reads, HookChannelHandler(responder: responder)])
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000))
        try await channel.testingEventLoop.executeInContext { channel.pipeline.read() }
        #expect(reads.count == 1)
        // The answers written fill the socket's buffer: the channel is no longer writable, so no more is read.
        channel.isWritable = false
        try await channel.testingEventLoop.executeInContext { channel.pipeline.fireChannelWritabilityChanged() }
        try await channel.testingEventLoop.executeInContext { channel.pipeline.read() }
        #expect(reads.count == 1, "read while answers wait")
        // The sender read them: the read asked for meanwhile is made.
        channel.isWritable = true
        try await channel.testingEventLoop.executeInContext { channel.pipeline.fireChannelWritabilityChanged() }
        #expect(reads.count == 2)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test func onlyPostsToHooksAndOneNameAreWebhooks() {
        func source(_ method: HTTPMethod, _ uri: String) -> Substring? {
            HookChannelHandler.hookSource(HTTPRequestHead(version: .http1_1, method: method, uri: uri))
        }
        #expect(source(.POST, "/hooks/registry") == "registry")
        #expect(source(.POST, "/hooks/registry?token=x&y") == "registry")
        #expect(source(.POST, "//hooks//registry/") == "registry", "empty components are skipped, as the router skips them")
        #expect(source(.POST, "/hooks/..%2Fetc") == "..%2Fetc", "the name is not percent-decoded")
        #expect(source(.GET, "/hooks/registry") == nil)
        #expect(source(.PUT, "/hooks/registry") == nil)
        #expect(source(.POST, "/hooks/") == nil)
        #expect(source(.POST, "/hooks/registry/extra") == nil)
        #expect(source(.POST, "/Hooks/registry") == nil)
        #expect(source(.POST, "/healthz") == nil)
        #expect(source(.POST, "*") == nil)
        #expect(source(.POST, "http://harbinger.example:8686/hooks/registry?token=x") == "registry", "the absolute form a proxy sends")
        #expect(source(.POST, "https://harbinger.example/hooks/registry") == "registry")
        #expect(source(.POST, "http://harbinger.example") == nil)
        #expect(source(.POST, "http://harbinger.example/healthz") == nil)
    }

    @Test func theDateHeaderIsAnIMFFixdate() {
        var parts = tm()
        var seconds = time_t(1_795_946_625)  // 2026-11-29T10:03:45Z, a Sunday
        gmtime_r(&seconds, &parts)
        #expect(HTTPDate.format(parts) == "Sun, 29 Nov 2026 10:03:45 GMT")
    }

    @Test(.timeLimit(.minutes(1)))
    func pipelinedRequestsOnARealConnectionAreAnsweredInOrder() async throws {
        let server = try await HookServer()
        try await server.application.test(.live) { client in
            let port = try #require(client.port)
            let push = distributionPush()
            let requests = [
                "POST /hooks/open HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(push.utf8.count)\r\n\r\n\(push)",
                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /hooks/nope HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
                "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /hooks/open HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(push.utf8.count)\r\nConnection: close\r\n\r\n\(push)",
            ]
            let reply = try await rawExchangeOnAThread(port: port, Array(requests.joined().utf8))
            // (A body does not end in a line break: the next status line follows it directly.)
            let statuses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["202", "200", "404", "404", "200"], "\(reply)")
        }
    }
}

extension HookEndpointTests {
    /// Random mixes of webhooks (stored, duplicates, matching nothing, refused on the head or for their body,
    /// chunked, waiting for `100 Continue`) and requests Hummingbird answers, pipelined on four connections at
    /// once and written in pieces of random sizes: each connection gets its answers in order, each with the
    /// status its request calls for, and every event accepted is stored. Two connections end with a request that
    /// asks to close, two by shutting their side down after the last request. A failure prints the requests and pieces.
    @Test(.timeLimit(.minutes(2)))
    func randomPipelinedMixesAreAnsweredInOrderWithTheRightStatuses() async throws {
        let server = try await HookServer()
        let plans = try (0..<4).map { try PipelinePlan.random(count: 30, halfClose: $0 < 2) }
        try await server.application.test(.live) { client in
            let port = try #require(client.port)
            let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (index, plan) in plans.enumerated() {
                    group.addTask {
                        (index, try await rawExchangeOnAThread(port: port, plan.bytes, pieces: plan.pieces, halfClose: plan.halfClose))
                    }
                }
                return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
            for (index, plan) in plans.enumerated() {
                let reply = replies[index] ?? ""
                let statuses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
                #expect(statuses == plan.statuses,
                        "requests \(plan.kinds) in pieces \(plan.pieces), half-closed: \(plan.halfClose): \(reply.prefix(3000))")
            }
        }
        for id in plans.flatMap(\.stored) {
            #expect(try await server.store.event(id: id) != nil, "event \(id) was answered 202 but is not stored")
        }
    }
}

extension HookEndpointTests {
    /// A refusal that closes the connection (the sender asked to, or speaks HTTP/1.0) while the body is still on its
    /// way: the server reads and drops the rest before closing, so the sender, which reads the answer only once
    /// it has written its body, gets the answer and not a reset.
    @Test(.timeLimit(.minutes(1)))
    func aRefusalThatClosesTheConnectionIsReadByASenderStillWritingItsBody() async throws {
        let server = try await HookServer()
        try await server.application.test(.live) { client in
            let port = try #require(client.port)
            let body = [UInt8](repeating: 0x20, count: 20 << 20)
            func head(_ line: String, _ fields: String) -> [UInt8] {
                Array("\(line)\r\nHost: x\r\nContent-Type: application/json\r\n\(fields)\r\n".utf8)
            }
            let unauthorized = try await rawExchangeOnAThread(
                port: port, head("POST /hooks/registry HTTP/1.1", "Content-Length: \(body.count)\r\nConnection: close\r\n") + body)
            #expect(unauthorized.hasPrefix("HTTP/1.1 401 "), "\(unauthorized.prefix(300))")
            let declared = try await rawExchangeOnAThread(port: port, head("POST /hooks/open HTTP/1.0", "Content-Length: \(body.count)\r\n") + body)
            #expect(declared.hasPrefix("HTTP/1.1 413 "), "\(declared.prefix(300))")
            let chunked = try await rawExchangeOnAThread(
                port: port, head("POST /hooks/small HTTP/1.1", "Transfer-Encoding: chunked\r\nConnection: close\r\n")
                    + Array(String(body.count, radix: 16).utf8) + [13, 10] + body + Array("\r\n0\r\n\r\n".utf8))
            #expect(chunked.hasPrefix("HTTP/1.1 413 "), "\(chunked.prefix(300))")
            // Pipelined behind a webhook being stored: the refusal is handled from the parts held meanwhile.
            let push = Array(distributionPush().utf8)
            let behind = try await rawExchangeOnAThread(
                port: port, head("POST /hooks/open HTTP/1.1", "Content-Length: \(push.count)\r\n") + push
                    + head("POST /hooks/registry HTTP/1.1", "Content-Length: \(body.count)\r\nConnection: close\r\n") + body)
            let statuses = behind.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["202", "401"], "\(behind.prefix(600))")
        }
    }
}

/// Requests for one connection, pipelined, and the statuses they must get, in order.
private struct PipelinePlan: Sendable {
    enum Kind: CaseIterable {
        case stored, duplicate, matchingNothing, blobOnly, unknownSource, unauthorized, tooLarge, invalid, wrongMediaType
        case chunked, expectsContinue, health, metrics, missing, getOnHooks
    }

    private(set) var kinds: [Kind] = []
    private var requests: [String] = []
    private(set) var statuses: [String] = []
    /// The ids of the events answered 202 and stored.
    private(set) var stored: [String] = []
    /// The sizes of the writes the requests' bytes are sent in.
    private(set) var pieces: [Int] = []
    /// The sender shuts its side down after the last request, which does not ask to close.
    private(set) var halfClose = false

    var bytes: [UInt8] { Array(requests.joined().utf8) }

    static func random(count: Int, halfClose: Bool) throws -> PipelinePlan {
        let pull = try fixture("distribution-captured", "07-pull-manifest").body
        let blob = try fixture("distribution-captured", "01-push-blob").body
        var plan = PipelinePlan()
        plan.halfClose = halfClose
        for _ in 0..<count {
            plan.add(Kind.allCases.randomElement() ?? .stored, pull: pull, blob: blob)
        }
        // Without a half-close, the last request asks to close, so the exchange ends when the connection does.
        if halfClose {
            plan.add(.stored, pull: pull, blob: blob)
        } else if Bool.random() {
            plan.append(.health, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", ["200"])
        } else {
            let id = UUID().uuidString
            plan.append(.stored, Self.post("/hooks/open", distributionPush(id: id), ["Connection: close"]), ["202"])
            plan.stored.append(id)
        }
        var left = plan.bytes.count
        while left > 0 {
            let piece = min(left, [1, 7, 100, 1000, 5000].randomElement().map { Int.random(in: 1...$0) } ?? left)
            plan.pieces.append(piece)
            left -= piece
        }
        return plan
    }

    private mutating func add(_ kind: Kind, pull: [UInt8], blob: [UInt8]) {
        switch kind {
        case .duplicate where stored.isEmpty, .stored:
            let id = UUID().uuidString
            append(.stored, Self.post("/hooks/open", distributionPush(id: id)), ["202"])
            stored.append(id)
        case .duplicate:
            append(kind, Self.post("/hooks/open", distributionPush(id: stored.randomElement() ?? "")), ["200"])
        case .matchingNothing:
            append(kind, Self.post("/hooks/open", String(decoding: pull, as: UTF8.self)), ["202"])
        case .blobOnly:
            append(kind, Self.post("/hooks/open", String(decoding: blob, as: UTF8.self)), ["200"])
        case .unknownSource:
            append(kind, Self.post("/hooks/nope", distributionPush()), ["404"])
        case .unauthorized:
            append(kind, Self.post("/hooks/registry", distributionPush()), ["401"])
        case .tooLarge:
            append(kind, Self.post("/hooks/small", distributionPush() + String(repeating: " ", count: 5000)), ["413"])
        case .invalid:
            append(kind, Self.post("/hooks/open", #"{"events": [{"action": "push", "target": {"repository": 7}}]}"#), ["400"])
        case .wrongMediaType:
            append(kind, Self.post("/hooks/open", distributionPush(), [], contentType: "text/html"), ["415"])
        case .chunked:
            let id = UUID().uuidString
            let body = Array(distributionPush(id: id).utf8)
            let half = body.count / 2
            let chunks = [body[..<half], body[half...]].map { String(format: "%x\r\n", $0.count) + String(decoding: $0, as: UTF8.self) + "\r\n" }
            append(kind, "POST /hooks/open HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + chunks.joined() + "0\r\n\r\n", ["202"])
            stored.append(id)
        case .expectsContinue:
            let id = UUID().uuidString
            append(kind, Self.post("/hooks/open", distributionPush(id: id), ["Expect: 100-continue"]), ["100", "202"])
            stored.append(id)
        case .health:
            append(kind, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", ["200"])
        case .metrics:
            append(kind, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", ["200"])
        case .missing:
            append(kind, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", ["404"])
        case .getOnHooks:
            append(kind, "GET /hooks/open HTTP/1.1\r\nHost: x\r\n\r\n", ["404"])
        }
    }

    private mutating func append(_ kind: Kind, _ request: String, _ answers: [String]) {
        kinds.append(kind)
        requests.append(request)
        statuses += answers
    }

    private static func post(_ path: String, _ body: String, _ headers: [String] = [], contentType: String = "application/json") -> String {
        (["POST \(path) HTTP/1.1", "Host: x", "Content-Type: \(contentType)", "Content-Length: \(body.utf8.count)"] + headers)
            .joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}

private extension HTTPServerRequestPart {
    func isHead(uri: String) -> Bool {
        if case .head(let head) = self { return head.uri == uri }
        return false
    }
}

/// `rawExchange` on a thread of its own, so that blocking on the socket holds up none of the tasks the server needs.
private func rawExchangeOnAThread(port: Int, _ bytes: [UInt8], pieces: [Int] = [], halfClose: Bool = false) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try rawExchange(port: port, bytes, pieces: pieces, halfClose: halfClose) })
        }
    }
}

/// Sends `bytes` on one connection to 127.0.0.1:`port`, in writes of the sizes of `pieces` (all at once without
/// them), then with `halfClose` shuts its side down, and reads until the server closes the connection (10 s at
/// most). A write the server refuses (a reset) throws.
private func rawExchange(port: Int, _ bytes: [UInt8], pieces: [Int] = [], halfClose: Bool = false) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var sent = 0
    for piece in pieces.isEmpty ? [bytes.count] : pieces {
        let written = bytes[sent..<sent + piece].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == piece else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        sent += piece
    }
    if halfClose { shutdown(fd, Int32(SHUT_WR)) }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { break }
        reply += buffer[..<count]
    }
    return String(decoding: reply, as: UTF8.self)
}
