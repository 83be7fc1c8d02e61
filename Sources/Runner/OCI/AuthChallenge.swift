/// A `WWW-Authenticate` challenge from a registry (RFC 9110 §11.6.1, as the distribution spec uses it).

/// `Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull"`.
struct AuthChallenge: Sendable, Hashable {
    /// `basic` or `bearer`, lowercased.
    var scheme: String
    /// The auth-params, keys lowercased.
    var parameters: [String: String]

    /// The first challenge in a header value, nil when it has no scheme.
    init?(_ header: String) {
        var rest = Substring(header).drop { $0 == " " }
        let scheme = rest.prefix { $0 != " " && $0 != "," }
        guard !scheme.isEmpty else { return nil }
        self.scheme = scheme.lowercased()
        rest = rest.dropFirst(scheme.count)
        var parameters: [String: String] = [:]
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            let key = rest.prefix { $0 != "=" && $0 != " " && $0 != "," }
            guard !key.isEmpty else { break }
            rest = rest.dropFirst(key.count).drop { $0 == " " }
            // A token with no "=" starts the next challenge: only the first one is read.
            guard rest.first == "=" else { break }
            rest = rest.dropFirst().drop { $0 == " " }
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        value.append(escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                rest = rest.dropFirst()
            } else {
                let token = rest.prefix { $0 != "," && $0 != " " }
                value = String(token)
                rest = rest.dropFirst(token.count)
            }
            parameters[key.lowercased()] = value
        }
        self.parameters = parameters
    }

    /// The token endpoint of a Bearer challenge.
    var realm: String? { parameters["realm"] }
}
