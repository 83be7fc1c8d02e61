import Foundation

/// A real CNCF Distribution registry (Debian's docker-registry) on a free loopback port, with the
/// authentication a test asks for; its access log lets tests count requests.
final class Registry {
    enum Auth {
        case none
        /// htpasswd Basic auth for one user.
        case basic(user: String, password: String)
        /// Bearer tokens from `realm`, signed by the key of `certificate`.
        case token(realm: String, certificate: URL)
    }

    let port: Int
    let directory: URL
    let child: ChildProcess

    /// Starts a registry storing under `directory`, notifying `notify` of every push, pull and delete.
    /// `tls` serves HTTPS with that certificate and key instead of plain HTTP.
    init(directory: URL, auth: Auth = .none, notify: String? = nil, tls: (certificate: URL, key: URL)? = nil) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("storage"), withIntermediateDirectories: true)
        port = Loopback.freePort()
        var config = """
            version: 0.1
            log: {level: info, accesslog: {disabled: false}}
            storage: {filesystem: {rootdirectory: \(directory.path)/storage}, delete: {enabled: true}}
            http: {addr: 127.0.0.1:\(port)\(tls.map { ", tls: {certificate: \($0.certificate.path), key: \($0.key.path)}" } ?? "")}

            """
        switch auth {
        case .none:
            break
        case .basic(let user, let password):
            let htpasswd = try Executable.run(URL(fileURLWithPath: "/usr/bin/htpasswd"), ["-Bbn", user, password])
            let file = directory.appendingPathComponent("htpasswd")
            try htpasswd.stdout.write(to: file, atomically: true, encoding: .utf8)
            config += "auth: {htpasswd: {realm: test, path: \(file.path)}}\n"
        case .token(let realm, let certificate):
            config += "auth: {token: {realm: \"\(realm)\", service: test-registry, issuer: harbinger-test, rootcertbundle: \(certificate.path)}}\n"
        }
        if let notify {
            config += """
                notifications:
                  endpoints:
                    - {name: harbinger, url: "\(notify)", timeout: 2s, threshold: 3, backoff: 1s}

                """
        }
        let file = directory.appendingPathComponent("config.yml")
        try config.write(to: file, atomically: true, encoding: .utf8)
        child = try ChildProcess(URL(fileURLWithPath: "/usr/bin/docker-registry"), ["serve", file.path],
                                 log: directory.appendingPathComponent("registry.log"))
        let port = port
        let scheme = tls == nil ? "http" : "https"
        guard Loopback.waitFor(seconds: 20, { [200, 401].contains(Loopback.status("\(scheme)://127.0.0.1:\(port)/v2/")) }) else {
            child.stop()
            throw Failure.didNotStart(child.output)
        }
    }

    enum Failure: Error { case didNotStart(String) }

    /// `127.0.0.1:PORT`.
    var host: String { "127.0.0.1:\(port)" }

    /// Access-log lines of requests with `method` whose path starts with `prefix`.
    func requests(_ method: String, _ prefix: String) -> Int {
        child.output.split(separator: "\n").filter { $0.contains("\"\(method) \(prefix)") }.count
    }

    func stop() { child.stop(grace: 5) }
}

/// skopeo against loopback registries.
enum Skopeo {
    static let path = URL(fileURLWithPath: "/usr/bin/skopeo")

    /// `skopeo copy` without TLS; `arguments` go before the two references.
    static func copy(_ source: String, _ destination: String, _ arguments: [String] = []) throws -> Executable.Output {
        try Executable.run(path, ["copy", "--src-tls-verify=false", "--dest-tls-verify=false"] + arguments + [source, destination])
    }

    /// The manifest digest of `docker://reference`, or nil when it does not exist.
    static func digest(_ reference: String, creds: String? = nil) throws -> String? {
        var arguments = ["inspect", "--tls-verify=false", "--format", "{{.Digest}}"]
        if let creds { arguments += ["--creds", creds] }
        let out = try Executable.run(path, arguments + ["docker://\(reference)"])
        return out.status == 0 ? out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// The raw manifest of `docker://reference`, parsed.
    static func rawManifest(_ reference: String, creds: String? = nil) throws -> [String: Any]? {
        var arguments = ["inspect", "--tls-verify=false", "--raw"]
        if let creds { arguments += ["--creds", creds] }
        let out = try Executable.run(path, arguments + ["docker://\(reference)"])
        guard out.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
    }
}
