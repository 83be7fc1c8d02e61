/// Which user name and password to present to which registry host.
import Foundation
import RuleParser

/// Credentials by registry host: the action's own first, then a docker `config.json`'s `auths`.
public struct RegistryCredentials: Sendable {
    private var byHost: [String: Credentials]
    private var dockerConfig: [String: Credentials]

    /// Credentials given per host, and the `auths` of a docker config (see `DockerConfig`).
    public init(byHost: [String: Credentials] = [:], dockerConfig: [String: Credentials] = [:]) {
        self.byHost = [:]
        for (host, credentials) in byHost { self.byHost[DockerConfig.normalize(host)] = credentials }
        self.dockerConfig = dockerConfig
    }

    /// The credentials for `host`, if any.
    public func credentials(for host: String) -> Credentials? {
        let key = DockerConfig.normalize(host)
        return byHost[key] ?? dockerConfig[key]
    }
}

/// Reads the `auths` of a docker `config.json` (the file `docker login` and `skopeo login` write).
/// Credential helpers (`credsStore`, `credHelpers`) and identity tokens are not supported: they need
/// programs or an OAuth exchange that a server should not run; a clear error says so.
public enum DockerConfig {
    /// Why a config could not be used.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The credentials in the file at `path`, by normalised host.
    public static func load(path: String) throws(Problem) -> [String: Credentials] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "cannot read docker_config '\(path)'")
        }
        return try parse(data, path: path)
    }

    /// The credentials in a config's bytes.
    static func parse(_ data: Data, path: String) throws(Problem) -> [String: Credentials] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Problem(description: "docker_config '\(path)' is not a JSON object")
        }
        var result: [String: Credentials] = [:]
        for (host, value) in root["auths"] as? [String: Any] ?? [:] {
            guard let entry = value as? [String: Any] else { continue }
            if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
                      let colon = decoded.firstIndex(of: ":") else {
                    throw Problem(description: "docker_config '\(path)': auths.\"\(host)\".auth is not base64 of user:password")
                }
                result[normalize(host)] = Credentials(username: String(decoded[..<colon]),
                                                      password: Secret(String(decoded[decoded.index(after: colon)...])))
            } else if let user = entry["username"] as? String, let password = entry["password"] as? String {
                result[normalize(host)] = Credentials(username: user, password: Secret(password))
            } else if entry["identitytoken"] != nil {
                throw Problem(description: "docker_config '\(path)': auths.\"\(host)\" holds an identity token, which Harbinger does not support; use a user name and password or token")
            }
        }
        return result
    }

    /// `https://index.docker.io/v1/` → `registry-1.docker.io`; `https://host:5000/` → `host:5000`.
    static func normalize(_ key: String) -> String {
        var host = Substring(key.lowercased())
        if let scheme = host.range(of: "://") { host = host[scheme.upperBound...] }
        host = host.prefix { $0 != "/" }
        if ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(String(host)) { return "registry-1.docker.io" }
        return String(host)
    }
}
