/// The `Authorization` values a registry client has earned, until they expire.
import Foundation

/// Cached Basic and Bearer authorizations, by host and scope, shared by every copy of one action run.
actor RegistryTokens {
    private struct Entry {
        var header: String
        var expires: ContinuousClock.Instant?
    }

    private var entries: [String: Entry] = [:]

    /// The header for `scope` on `host` (a Bearer token for that scope, else Basic for the host).
    func header(host: String, scope: String) -> String? {
        for key in ["\(host) \(scope)", host] {
            guard let entry = entries[key] else { continue }
            if let expires = entry.expires, expires <= .now {
                entries[key] = nil
                continue
            }
            return entry.header
        }
        return nil
    }

    /// Remembers Basic credentials for every request to `host`.
    func setBasic(_ header: String, host: String) {
        entries[host] = Entry(header: header, expires: nil)
    }

    /// Remembers a Bearer token for `scope` on `host` for `lifetime`, less a margin for clock skew and transit.
    func setBearer(_ token: String, host: String, scope: String, lifetime: Duration) {
        let margin = min(lifetime / 10, .seconds(30))
        entries["\(host) \(scope)"] = Entry(header: "Bearer \(token)", expires: .now + lifetime - margin)
    }
}
