/// A repository on a registry, the unit the OCI distribution API addresses.

/// `host/name` plus how to reach the host.
public struct RegistryRepository: Sendable, Hashable, CustomStringConvertible {
    /// The registry host as the API is reached, with its port: `127.0.0.1:5000`, `registry-1.docker.io`.
    public var host: String
    /// The repository path: `shop/web`.
    public var name: String
    /// Plain HTTP instead of HTTPS.
    public var insecure: Bool

    /// Creates a repository; Docker Hub's names are normalised (`docker.io/nginx` is `library/nginx`
    /// on `registry-1.docker.io`), as docker and skopeo do.
    public init(host: String, name: String, insecure: Bool = false) {
        let lowered = host.lowercased()
        if ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(lowered) {
            self.host = "registry-1.docker.io"
            self.name = name.contains("/") ? name : "library/\(name)"
        } else {
            self.host = host
            self.name = name
        }
        self.insecure = insecure
    }

    /// Splits `host/path/to/repo`; nil when there is no host part or no path.
    public init?(reference: String, insecure: Bool = false) {
        guard let slash = reference.firstIndex(of: "/") else { return nil }
        let host = String(reference[..<slash])
        let name = String(reference[reference.index(after: slash)...])
        guard !host.isEmpty, !name.isEmpty else { return nil }
        self.init(host: host, name: name, insecure: insecure)
    }

    /// `https://host/v2/name`.
    public var apiBase: String { "\(insecure ? "http" : "https")://\(host)/v2/\(name)" }

    /// `host/name`.
    public var description: String { "\(host)/\(name)" }
}
