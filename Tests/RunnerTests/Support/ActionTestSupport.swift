/// Real components for action tests: rules decoded from YAML, a Python webhook receiver, scripts on disk.
import AsyncHTTPClient
import Foundation
import Testing
@testable import Runner

/// Rules, events and contexts for running one action.
enum ActionFixture {
    /// A push with every field set.
    static let event = Event(
        id: "evt-123", source: .distribution, sourceName: "registry", type: .push, registry: "registry.example.com",
        repository: "shop/web", tag: "1.2.3", digest: "sha256:0123abcd",
        mediaType: "application/vnd.oci.image.manifest.v1+json", actor: "alice", occurredAt: "2026-01-02T03:04:05Z"
    )

    /// The first rule of a rules file whose only rule runs `action` (YAML for one `do` item).
    static func rule(doing action: String) throws -> Rule {
        let text = """
            version: 1
            sources:
              - { name: registry, kind: distribution }
            rules:
              - name: deploy
                when: { source: registry }
                do:
                  - \(action)
            """
        let result = RulesLoader(environment: [:]).load(text: text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        return try #require(result.rules?.rules.first)
    }

    /// The options of the rule's only action.
    static func config<C: ActionConfig>(_ action: String, as type: C.Type = C.self) throws -> (C, Rule) {
        let rule = try rule(doing: action)
        return (try #require(rule.actions.first?.config as? C), rule)
    }

    /// A context for one attempt.
    static func context(rule: Rule, event: Event = event, deliveryID: String = "dlv-42", attempts: Int = 0,
                        chainFailed: Bool = false, payload: [UInt8] = Array(#"{"events":[]}"#.utf8),
                        contentType: String? = "application/vnd.docker.distribution.events.v1+json",
                        timeout: Duration = .seconds(10)) -> DeliveryContext {
        var delivery = Delivery(id: deliveryID, eventID: event.id, rule: rule.name, step: 0, actionType: "test",
                                rulesVersion: 1, now: 0, chainFailed: chainFailed)
        delivery.attempts = attempts
        let stored = StoredEvent(event: event, payload: payload, contentType: contentType, receivedAt: 1_767_323_045_000)
        return DeliveryContext(delivery: delivery, event: stored, rule: rule, timeout: timeout)
    }

    /// Runs `body` with a client that fails fast on a refused connection, then shuts it down.
    static func withHTTPClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes an executable script and returns its path.
    static func script(_ name: String, _ text: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }
}

/// One request as the receiver recorded it.
struct RecordedRequest: Decodable {
    /// The method.
    var method: String
    /// Path and query.
    var path: String
    /// Name and value pairs, in order.
    var headers: [[String]]
    /// The body, base64.
    var body: String

    /// The first value of a header (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }.flatMap { $0.count > 1 ? $0[1] : nil }
    }

    /// The body bytes.
    var bodyBytes: [UInt8] { Data(base64Encoded: body).map { [UInt8]($0) } ?? [] }

    /// The body as text.
    var bodyText: String { String(decoding: bodyBytes, as: UTF8.self) }

    /// The body parsed as a JSON object.
    func bodyObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bodyBytes)) as? [String: Any])
    }
}

/// `Support/receiver.py` running as a child process on a free port of 127.0.0.1.
final class TestReceiver {
    /// Its port.
    let port: Int
    private let process: Process
    private let directory: URL

    /// Its scheme: `https` when it serves TLS.
    private let scheme: String

    /// Starts a receiver answering `statuses` in order (`"503,200"`), waiting (at most 10 s) until it
    /// listens; over HTTPS with `tls` (a certificate chain and its key, PEM files).
    init(statuses: String, retryAfter: String? = nil, delay: Double? = nil, body: String? = nil,
         tls: (certificate: String, key: String)? = nil) throws {
        scheme = tls == nil ? "http" : "https"
        directory = try ActionFixture.temporaryDirectory()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("receiver.py")
        let portFile = directory.appendingPathComponent("port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", script.path, portFile.path, directory.appendingPathComponent("log").path, statuses]
        if let retryAfter { arguments += ["--retry-after", retryAfter] }
        if let delay { arguments += ["--delay", String(delay)] }
        if let body { arguments += ["--body", body] }
        if let tls { arguments += ["--tls", tls.certificate, tls.key] }
        process.arguments = arguments
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        var port: Int?
        while port == nil, Date() < deadline, process.isRunning {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(20_000) }
        }
        guard let port else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
            throw ReceiverError.notListening
        }
        self.port = port
    }

    /// Stops it (if a test did not) and removes its port file and request log.
    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `http://127.0.0.1:<port>`, or `https://` when it serves TLS.
    var url: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Stops the receiver by its PID and waits for it to exit.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Every request received so far.
    func requests() throws -> [RecordedRequest] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(RecordedRequest.self, from: Data($0.utf8)) }
    }

    enum ReceiverError: Error {
        case notListening
    }
}

/// A port of 127.0.0.1 that refuses connections for as long as this value lives: a socket bound to it
/// that never listens. A stopped receiver's port could be taken by another test running at the same
/// time, which then answers instead of refusing.
final class RefusingPort {
    /// The port.
    let port: Int
    private let socketFD: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard fd >= 0, bound == 0 else {
            if fd >= 0 { close(fd) }
            throw TestReceiver.ReceiverError.notListening
        }
        socketFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// `http://127.0.0.1:<port>`.
    var url: String { "http://127.0.0.1:\(port)" }

    deinit {
        close(socketFD)
    }
}
