/// Decoding `sources:` entries and their auth forms.
extension NodeDecoder {
    func source(_ node: Node) -> Source? {
        let keys = ["name", "kind", "registry", "auth", "include_blobs", "trusted_proxies", "max_body", "description"]
        guard let f = fields(node, "source", keys: keys) else { return nil }
        guard let nameNode = required(f, "name"), let name = nonEmptyString(nameNode, "source name") else { return nil }
        let what = "source '\(name)'"
        if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            error("source name '\(name)' is used in the URL path /hooks/<name>; use letters, digits, '-', '_' and '.' only", at: nameNode.mark)
        }
        guard let kindNode = required(Fields(node: f.node, what: what, entries: f.entries, names: f.names, misspelt: f.misspelt), "kind"),
              let kindText = string(kindNode, "kind of \(what)") else { return nil }
        guard let kind = SourceKind(rawValue: kindText) else {
            let all = SourceKind.allCases.map(\.rawValue)
            error("unknown source kind '\(kindText)'; kinds are \(all.joined(separator: ", "))\(Suggestion.didYouMean(kindText, in: all))", at: kindNode.mark)
            return nil
        }
        var auth: [SourceAuth] = []
        if let authNode = f["auth"], let forms = list(authNode, "auth of \(what)") {
            auth = forms.compactMap { sourceAuth($0, "auth of \(what)") }
        }
        let proxies = f["trusted_proxies"].flatMap { list($0, "trusted_proxies of \(what)") } ?? []
        return Source(
            name: name,
            kind: kind,
            registry: f["registry"].flatMap { nonEmptyString($0, "registry of \(what)") },
            auth: auth,
            includeBlobs: f["include_blobs"].flatMap { bool($0, "include_blobs of \(what)") } ?? false,
            trustedProxies: proxies.compactMap { cidr($0, "trusted_proxies of \(what)") },
            maxBody: f["max_body"].flatMap { size($0, "max_body of \(what)") },
            description: f["description"].flatMap { string($0, "description of \(what)") },
            mark: node.mark)
    }

    private static let authForms = ["hmac", "basic", "bearer", "query", "cidr", "header"]

    private func sourceAuth(_ node: Node, _ what: @autoclosure () -> String) -> SourceAuth? {
        guard case .mapping(let entries) = node.content else {
            error("\(what()) must be a mapping such as {bearer: \"...\"}, found \(node.kindDescription)", at: node.mark)
            return nil
        }
        let keys = entries.compactMap { $0.key.scalar?.value }
        let form = Self.authForms.first { keys.contains($0) || keys.contains($0 + "_file") }
        switch form {
        case "header":
            guard let f = fields(node, what(), keys: ["header"], secrets: ["value"]),
                  let name = required(f, "header").flatMap({ nonEmptyString($0, "header in \(what())") }),
                  let value = secret(f, "value", required: true) else { return nil }
            return .header(name: name, value: value)
        case "basic":
            guard let f = fields(node, what(), keys: ["basic"]),
                  let credentials = f["basic"].flatMap({ credentials($0, "basic in \(what())") }) else { return nil }
            return .basic(username: credentials.username, password: credentials.password)
        case "bearer":
            guard let f = fields(node, what(), keys: [], secrets: ["bearer"]), let token = secret(f, "bearer", required: true) else { return nil }
            return .bearer(token)
        case "query":
            guard let f = fields(node, what(), keys: ["query"], secrets: ["value"]),
                  let name = required(f, "query").flatMap({ nonEmptyString($0, "query in \(what())") }),
                  let value = secret(f, "value", required: true) else { return nil }
            return .query(parameter: name, value: value)
        case "hmac":
            return hmac(node, what())
        case "cidr":
            guard let f = fields(node, what(), keys: ["cidr"]), let items = f["cidr"].flatMap({ list($0, "cidr in \(what())") }) else { return nil }
            let blocks = items.compactMap { cidr($0, "cidr in \(what())") }
            return blocks.count == items.count ? .cidr(blocks) : nil
        default:
            let first = keys.first ?? ""
            error("\(what()) must use one of \(Self.authForms.joined(separator: ", "))\(Suggestion.didYouMean(first, in: Self.authForms))", at: node.mark)
            return nil
        }
    }

    private func hmac(_ node: Node, _ what: @autoclosure () -> String) -> SourceAuth? {
        guard let f = fields(node, what(), keys: ["hmac", "header", "prefix"], secrets: ["secret"]) else { return nil }
        guard let algorithmNode = f["hmac"], let name = string(algorithmNode, "hmac in \(what())") else { return nil }
        guard let algorithm = HMACAuth.Algorithm(rawValue: name.lowercased()) else {
            error("hmac in \(what()) must be sha1, sha256 or sha512, found '\(name)'", at: algorithmNode.mark)
            return nil
        }
        guard let header = required(f, "header").flatMap({ nonEmptyString($0, "header in \(what())") }),
              let secret = secret(f, "secret", required: true) else { return nil }
        let prefix = f["prefix"].flatMap { string($0, "prefix in \(what())") }
        return .hmac(HMACAuth(algorithm: algorithm, header: header, secret: secret, prefix: prefix))
    }

    func cidr(_ node: Node, _ what: @autoclosure () -> String) -> CIDR? {
        parsed(node, what()) { text throws(ValueError) in try CIDR(parsing: text) }
    }
}
