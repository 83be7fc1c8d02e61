import AsyncHTTPClient
import Foundation
import Testing
@testable import Runner

/// A wall clock stopped at one instant.
private struct FixedClock: WallClock {
    let millis: Int64
    func now() -> Int64 { millis }
}

/// Runs one `http` action (YAML options, `{URL}` replaced by the receiver's URL) against a receiver.
private func attempt(_ options: String, receiver: TestReceiver, timeout: Duration = .seconds(10),
                     clock: any WallClock = SystemClock(), attempts: Int = 0,
                     contentType: String? = "application/vnd.docker.distribution.events.v1+json") async throws -> AttemptOutcome {
    try await attempt(options, url: receiver.url, timeout: timeout, clock: clock, attempts: attempts, contentType: contentType)
}

/// Runs one `http` action with `{URL}` replaced by `url`.
private func attempt(_ options: String, url: String, timeout: Duration = .seconds(10),
                     clock: any WallClock = SystemClock(), attempts: Int = 0,
                     contentType: String? = "application/vnd.docker.distribution.events.v1+json") async throws -> AttemptOutcome {
    let (config, rule) = try ActionFixture.config("http: " + options.replacingOccurrences(of: "{URL}", with: url),
                                                  as: HTTPActionConfig.self)
    let context = ActionFixture.context(rule: rule, attempts: attempts, contentType: contentType, timeout: timeout)
    return try await ActionFixture.withHTTPClient { client in
        await HTTPAction(httpClient: client, clock: clock).run(config, context: context)
    }
}

/// HMAC-SHA256 computed by Python's standard library, so the test does not trust our own signing code.
private func pythonHMAC(key: [UInt8], message: [UInt8]) throws -> String {
    let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", """
        import base64, hashlib, hmac, sys
        print(base64.b64encode(hmac.new(bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2]), hashlib.sha256).digest()).decode())
        """, hex(key), hex(message)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

@Test func theDefaultBodyIsTheCanonicalEventWithTheIdentityHeaders() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/hooks/{{repository}}?tag={{tag}}\" }", receiver: receiver)
    #expect(outcome.verdict == .success)
    #expect(outcome.status == "HTTP 200")
    #expect(outcome.excerpt == "ok")
    let request = try #require(try receiver.requests().first)
    #expect(request.method == "POST")
    #expect(request.path == "/hooks/shop/web?tag=1.2.3")
    #expect(request.bodyText == ActionFixture.event.json.serialized())
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("webhook-id") == "dlv-42")
    #expect(request.header("X-Harbinger-Event-Id") == "evt-123")
    #expect(request.header("X-Harbinger-Delivery") == "dlv-42")
    #expect(request.header("User-Agent") == "Harbinger/0.1")
    #expect(request.header("webhook-signature") == nil)
}

@Test func theOriginalBodyForwardsThePayloadWithItsContentType() async throws {
    let receiver = try TestReceiver(statuses: "204")
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/portus\", body: original }", receiver: receiver)
    #expect(outcome.verdict == .success)
    let request = try #require(try receiver.requests().first)
    #expect(request.bodyText == #"{"events":[]}"#)
    #expect(request.header("Content-Type") == "application/vnd.docker.distribution.events.v1+json")
}

@Test func theCloudEventsBodyIsAStructuredModeCloudEvent() async throws {
    let receiver = try TestReceiver(statuses: "202")
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/ce\", body: cloudevents }", receiver: receiver)
    #expect(outcome.verdict == .success)
    let request = try #require(try receiver.requests().first)
    #expect(request.header("Content-Type") == "application/cloudevents+json")
    let object = try request.bodyObject()
    #expect(object["specversion"] as? String == "1.0")
    #expect(object["id"] as? String == "evt-123")
    #expect(object["source"] as? String == "harbinger/registry")
    #expect(object["type"] as? String == "dev.harbinger.push")
    #expect(object["time"] as? String == "2026-01-02T03:04:05Z")
    #expect(object["subject"] as? String == "registry.example.com/shop/web:1.2.3")
    #expect(object["datacontenttype"] as? String == "application/json")
    let data = try #require(object["data"] as? [String: Any])
    #expect(data["repository"] as? String == "shop/web")
    #expect(data["digest"] as? String == "sha256:0123abcd")
}

@Test func aTemplateBodyIsRenderedAndSentWithTheConfiguredMethodAndContentType() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    let outcome = try await attempt("""
        { url: "{URL}/deploy", method: put, content_type: text/plain, body: { template: "deploy {{image}} by {{actor}}" } }
        """, receiver: receiver)
    #expect(outcome.verdict == .success)
    let request = try #require(try receiver.requests().first)
    #expect(request.method == "PUT")
    #expect(request.header("Content-Type") == "text/plain")
    #expect(request.bodyText == "deploy registry.example.com/shop/web:1.2.3 by alice")
}

@Test func templatedHeadersAndBasicAuthAreSent() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    _ = try await attempt("""
        { url: "{URL}/h", headers: { X-Team: "{{namespace}}", X-Fixed: constant }, basic: { username: ci, password: "p@ss:word" } }
        """, receiver: receiver)
    let request = try #require(try receiver.requests().first)
    #expect(request.header("X-Team") == "shop")
    #expect(request.header("X-Fixed") == "constant")
    #expect(request.header("Authorization") == "Basic " + Data("ci:p@ss:word".utf8).base64EncodedString())
}

@Test func aBearerTokenIsSentAsAuthorization() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    _ = try await attempt("{ url: \"{URL}/h\", bearer: s3cr3t-token }", receiver: receiver)
    let request = try #require(try receiver.requests().first)
    #expect(request.header("Authorization") == "Bearer s3cr3t-token")
}

@Test func aWhsecSecretSignsTheBodyAsStandardWebhooksSpecifies() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    let key = Array("a key of random bytes \u{1}\u{2}".utf8)
    let secret = "whsec_" + Data(key).base64EncodedString()
    let now: Int64 = 1_767_323_045_678
    _ = try await attempt("{ url: \"{URL}/signed\", sign: { secret: \"\(secret)\" } }", receiver: receiver,
                          clock: FixedClock(millis: now))
    let request = try #require(try receiver.requests().first)
    #expect(request.header("webhook-id") == "dlv-42")
    #expect(request.header("webhook-timestamp") == "1767323045")
    let message = Array("dlv-42.1767323045.".utf8) + request.bodyBytes
    #expect(request.header("webhook-signature") == "v1," + (try pythonHMAC(key: key, message: message)))
}

@Test func aPlainSecretSignsWithItsUTF8Bytes() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    _ = try await attempt("{ url: \"{URL}/signed\", body: { template: \"{{tag}}\" }, sign: { secret: plain-secret } }",
                          receiver: receiver)
    let request = try #require(try receiver.requests().first)
    let timestamp = try #require(request.header("webhook-timestamp"))
    let message = Array("dlv-42.\(timestamp).1.2.3".utf8)
    #expect(request.header("webhook-signature") == "v1," + (try pythonHMAC(key: Array("plain-secret".utf8), message: message)))
}

@Test func aServerErrorRetriesAndTheWebhookIdStaysTheSameOnTheNextAttempt() async throws {
    let receiver = try TestReceiver(statuses: "503,200")
    defer { receiver.stop() }
    let first = try await attempt("{ url: \"{URL}/flaky\" }", receiver: receiver, attempts: 0)
    #expect(first.verdict == .retry(after: nil))
    #expect(first.status == "HTTP 503")
    let second = try await attempt("{ url: \"{URL}/flaky\" }", receiver: receiver, attempts: 1)
    #expect(second.verdict == .success)
    let ids = try receiver.requests().map { $0.header("webhook-id") }
    #expect(ids == ["dlv-42", "dlv-42"])
}

@Test func tooManyRequestsWithRetryAfterSecondsSetsTheNextAttempt() async throws {
    let receiver = try TestReceiver(statuses: "429", retryAfter: "7")
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/busy\" }", receiver: receiver)
    #expect(outcome.verdict == .retry(after: .seconds(7)))
    #expect(outcome.status == "HTTP 429")
}

@Test func retryAfterAsAnHTTPDateIsADelayFromNow() async throws {
    let receiver = try TestReceiver(statuses: "503", retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT")
    defer { receiver.stop() }
    let date = 1_792_567_680_000 as Int64  // 2026-10-21T07:28:00Z
    let outcome = try await attempt("{ url: \"{URL}/busy\" }", receiver: receiver, clock: FixedClock(millis: date - 30_000))
    #expect(outcome.verdict == .retry(after: .seconds(30)))
}

@Test func aClientErrorFailsAtOnceWithTheResponseExcerpt() async throws {
    let receiver = try TestReceiver(statuses: "400")
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/bad\" }", receiver: receiver)
    #expect(outcome.verdict == .failure)
    #expect(outcome.status == "HTTP 400")
    #expect(outcome.excerpt == "ok")
}

@Test func requestTimeoutRetries() async throws {
    let receiver = try TestReceiver(statuses: "408")
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/slow\" }", receiver: receiver)
    #expect(outcome.verdict == .retry(after: nil))
    #expect(outcome.status == "HTTP 408")
}

@Test func aRefusedConnectionRetries() async throws {
    let refusing = try RefusingPort()
    let outcome = try await attempt("{ url: \"{URL}/gone\" }", url: refusing.url, timeout: .seconds(5))
    withExtendedLifetime(refusing) {}
    #expect(outcome.verdict == .retry(after: nil))
    #expect(outcome.status == "connection refused")
}

@Test func aSlowReceiverTimesOutAndRetries() async throws {
    let receiver = try TestReceiver(statuses: "200", delay: 60)
    defer { receiver.stop() }
    let (config, rule) = try ActionFixture.config("http: { url: \"\(receiver.url)/slow\" }", as: HTTPActionConfig.self)
    let context = ActionFixture.context(rule: rule, timeout: .milliseconds(500))
    let (outcome, elapsed) = try await ActionFixture.withHTTPClient { client in
        let started = ContinuousClock.now
        let outcome = await HTTPAction(httpClient: client).run(config, context: context)
        let elapsed = ContinuousClock.now - started
        // Stopped before the client shuts down, which would otherwise wait for the receiver's answer.
        receiver.stop()
        return (outcome, elapsed)
    }
    #expect(outcome.verdict == .retry(after: nil))
    #expect(outcome.status == "timeout after 500ms")
    // Far below the receiver's 60 s: the attempt gave up on its own. The bound is generous because
    // the parallel test run can keep this task from resuming for several seconds on 2 cores.
    #expect(elapsed < .seconds(30))
}

@Test func theExcerptKeepsTheFirstKibibyteOfTheResponse() async throws {
    let receiver = try TestReceiver(statuses: "500", body: String(repeating: "0123456789", count: 300))
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/big\" }", receiver: receiver)
    #expect(outcome.verdict == .retry(after: nil))
    #expect(outcome.excerpt == String(String(repeating: "0123456789", count: 300).prefix(1024)))
}

@Test func anUnreadableCAFileFailsWithoutSending() async throws {
    let (config, rule) = try ActionFixture.config("http: { url: \"https://hooks.example.com/x\", tls: { ca_file: /nonexistent/ca.pem } }",
                                                  as: HTTPActionConfig.self)
    let outcome = try await ActionFixture.withHTTPClient { client in
        await HTTPAction(httpClient: client).run(config, context: ActionFixture.context(rule: rule))
    }
    #expect(outcome.verdict == .failure)
    #expect(outcome.status == "cannot read tls.ca_file '/nonexistent/ca.pem'")
}

@Test func requestsToOneHostShareAConcurrencyKey() async throws {
    let (config, rule) = try ActionFixture.config("http: { url: \"https://Hooks.example.com/{{tag}}\", concurrency: 3 }",
                                                  as: HTTPActionConfig.self)
    try await ActionFixture.withHTTPClient { client in
        let action = HTTPAction(httpClient: client)
        #expect(action.concurrencyKey(config, context: ActionFixture.context(rule: rule)) == "hooks.example.com:443")
        #expect(action.concurrencyLimit(config) == 3)
    }
    #expect(HTTPAction.hostAndPort("http://user:pw@10.0.0.1:8080/x") == "10.0.0.1:8080")
    #expect(HTTPAction.hostAndPort("http://[::1]/x") == "[::1]:80")
}

/// A test CA and a certificate it signed for 127.0.0.1, made with the `openssl` command: PEM paths.
private struct TestCertificates {
    let directory: URL
    var ca: String { directory.appendingPathComponent("ca.pem").path }
    var certificate: String { directory.appendingPathComponent("server.pem").path }
    var key: String { directory.appendingPathComponent("server.key").path }

    init() throws {
        let directory = try ActionFixture.temporaryDirectory()
        self.directory = directory
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n".write(toFile: file("ext.cnf"), atomically: true, encoding: .utf8)
        let ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for arguments in [
            ["req", "-x509"] + ecKey + ["-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=Harbinger test CA"],
            ["req"] + ecKey + ["-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
             "-out", file("server.pem"), "-days", "2", "-extfile", file("ext.cnf")],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "openssl \(arguments.first ?? "") failed")
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

@Test func anHTTPSReceiverIsTrustedThroughTheCAFileAndOnlyThen() async throws {
    let certificates = try TestCertificates()
    defer { certificates.remove() }
    let receiver = try TestReceiver(statuses: "200", tls: (certificates.certificate, certificates.key))
    defer { receiver.stop() }
    #expect(receiver.url.hasPrefix("https://127.0.0.1:"))

    // The receiver's CA is not one the system trusts: the handshake fails and nothing is sent. A
    // transport error, so a retry (the certificate may be renewed, or the CA file added, meanwhile).
    let untrusted = try await attempt("{ url: \"{URL}/hook\" }", receiver: receiver)
    #expect(untrusted.verdict == .retry(after: nil))
    #expect(untrusted.status.lowercased().contains("certificate"), "\(untrusted.status)")
    #expect(try receiver.requests().isEmpty)

    let trusted = try await attempt("{ url: \"{URL}/hook\", tls: { ca_file: \"\(certificates.ca)\" } }", receiver: receiver)
    #expect(trusted.verdict == .success)
    #expect(trusted.status == "HTTP 200")
    #expect(try receiver.requests().map(\.path) == ["/hook"])
}

@Test func insecureTLSSendsToAReceiverWhoseCertificateIsNotTrusted() async throws {
    let certificates = try TestCertificates()
    defer { certificates.remove() }
    let receiver = try TestReceiver(statuses: "204", tls: (certificates.certificate, certificates.key))
    defer { receiver.stop() }
    let outcome = try await attempt("{ url: \"{URL}/hook\", tls: { insecure: true } }", receiver: receiver)
    #expect(outcome.verdict == .success)
    #expect(outcome.status == "HTTP 204")
    #expect(try receiver.requests().map(\.path) == ["/hook"])
}
