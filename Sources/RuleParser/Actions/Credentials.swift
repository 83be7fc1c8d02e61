/// A user name and password for a registry or an HTTP endpoint.
public struct Credentials: Sendable, Hashable {
    /// The user name.
    public var username: String
    /// The password or token.
    public var password: Secret

    /// Creates credentials.
    public init(username: String, password: Secret) {
        self.username = username
        self.password = password
    }
}

extension NodeDecoder {
    /// Reads `{username, password | password_file}`.
    public func credentials(_ node: Node, _ what: @autoclosure () -> String) -> Credentials? {
        guard let fields = fields(node, what(), keys: ["username"], secrets: ["password"]) else { return nil }
        let username = required(fields, "username").flatMap { nonEmptyString($0, "username in \(what())") }
        let password = secret(fields, "password", required: true)
        guard let username, let password else { return nil }
        return Credentials(username: username, password: password)
    }

    /// A URL whose scheme and host are fixed (templates may fill only path, query and fragment).
    public func fixedHostURL(_ node: Node, _ what: @autoclosure () -> String, schemes: [String] = ["http", "https"]) -> Template? {
        guard let template = template(node, what()) else { return nil }
        let text = template.text
        guard let separator = Substring(text).range(of: "://") else {
            error("\(what()) must be an absolute URL such as https://host/path", at: node.mark)
            return nil
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard schemes.contains(scheme) else {
            error("\(what()) must use \(schemes.joined(separator: " or ")), found '\(scheme)'", at: node.mark)
            return nil
        }
        // The authority ends at the first '/', '?' or '#'; scanned as bytes (all three are ASCII).
        let rest = text.utf8[separator.upperBound...]
        let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        let authority = Substring(text.utf8[separator.upperBound..<end])
        if authority.includes("{{") {
            let offset = text.distance(from: text.startIndex, to: authority.startIndex)
            error("\(what()): templates may fill the path, query and headers of a URL, never its host or port",
                  at: mark(in: node, offset: offset, text: text))
            return nil
        }
        if authority.isEmpty || authority.hasPrefix(":") {
            error("\(what()) has no host", at: node.mark)
            return nil
        }
        return template
    }
}
