/// Checks a webhook request against every auth form its source declares; all of them must hold.
import Foundation

/// What the authenticator needs to know about one request.
public struct AuthRequest: Sendable {
    /// Headers in arrival order; names compare case-insensitively.
    public var headers: [(name: String, value: String)]
    /// Query items, percent-decoded, in order.
    public var query: [(name: String, value: String)]
    /// The raw body bytes, exactly as received (HMACs are computed over them).
    public var body: [UInt8]
    /// The address of the TCP peer, if known.
    public var peer: IPAddress?

    /// Creates a request description.
    public init(headers: [(name: String, value: String)] = [], query: [(name: String, value: String)] = [], body: [UInt8] = [],
                peer: IPAddress? = nil) {
        self.headers = headers
        self.query = query
        self.body = body
        self.peer = peer
    }

    /// Every value of a header, by case-insensitive name.
    func values(of name: String) -> [String] {
        headers.compactMap { $0.name.caseInsensitiveEquals(name) ? $0.value : nil }
    }
}

/// Checks requests against one source's auth forms, comparing secrets in constant time.
public struct SourceAuthenticator: Sendable {
    /// The outcome of a check.
    public enum Decision: Sendable, Hashable {
        /// Every form holds.
        case allowed
        /// A form failed; the reason names the form, never a secret or a value the client sent.
        case denied(String)
    }

    /// Which forms a check covers, so the cheap ones can run before the body is read.
    public enum Scope: Sendable {
        /// Every form.
        case all
        /// Every form that needs no body: header, basic, bearer, query, cidr.
        case withoutBody
        /// Only the forms over the body: hmac.
        case bodyOnly
    }

    /// The forms that must all hold.
    public let forms: [SourceAuth]
    /// Proxies whose `X-Forwarded-For` is believed.
    public let trustedProxies: [CIDR]

    /// An authenticator for a source's forms.
    public init(source: Source) {
        self.init(forms: source.auth, trustedProxies: source.trustedProxies)
    }

    /// An authenticator for explicit forms.
    public init(forms: [SourceAuth], trustedProxies: [CIDR] = []) {
        self.forms = forms
        self.trustedProxies = trustedProxies
    }

    /// True when some form needs the body (an HMAC), so the body must be read before the check completes.
    public var needsBody: Bool {
        forms.contains { if case .hmac = $0 { true } else { false } }
    }

    /// True when a form reads a query parameter: only then is the query worth decoding.
    public var needsQuery: Bool {
        forms.contains { if case .query = $0 { true } else { false } }
    }

    /// True when a form checks the client's address (`cidr`): only then is the peer's address worth parsing.
    public var needsPeer: Bool {
        forms.contains { if case .cidr = $0 { true } else { false } }
    }

    /// Checks `request` against the forms in `scope`; every form is evaluated, so timing does not reveal which failed.
    public func authenticate(_ request: AuthRequest, scope: Scope = .all) -> Decision {
        var reasons: [String] = []
        for form in forms {
            let isBodyForm = if case .hmac = form { true } else { false }
            switch scope {
            case .all: break
            case .withoutBody: if isBodyForm { continue }
            case .bodyOnly: if !isBodyForm { continue }
            }
            if let reason = failure(of: form, in: request) { reasons.append(reason) }
        }
        return reasons.isEmpty ? .allowed : .denied(reasons.joined(separator: "; "))
    }

    /// Why `form` does not hold for `request`, or nil when it does.
    func failure(of form: SourceAuth, in request: AuthRequest) -> String? {
        switch form {
        case .header(let name, let secret):
            guard let value = request.values(of: name).first else { return "missing header \(name)" }
            return ConstantTime.equals(value, secret.value) ? nil : "wrong value in header \(name)"
        case .basic(let username, let password):
            return basicFailure(request, username: username, password: password)
        case .bearer(let token):
            let tokens = request.values(of: "authorization").compactMap { Self.credentials($0, scheme: "bearer") }
            guard let given = tokens.first else { return "missing bearer token in the Authorization header" }
            return ConstantTime.equals(given, token.value) ? nil : "wrong bearer token"
        case .query(let parameter, let secret):
            guard let value = request.query.first(where: { $0.name == parameter })?.value else {
                return "missing query parameter \(parameter)"
            }
            return ConstantTime.equals(value, secret.value) ? nil : "wrong value in query parameter \(parameter)"
        case .hmac(let settings):
            return HMACVerifier(settings).failure(headers: request.values(of: settings.header), body: request.body)
        case .cidr(let blocks):
            let client = ClientAddress.resolve(peer: request.peer, forwardedFor: request.values(of: "x-forwarded-for"),
                                               trustedProxies: trustedProxies)
            guard let client else { return "the client address could not be determined" }
            return blocks.contains { $0.contains(client) } ? nil : "client address \(client) is not in an allowed block"
        }
    }

    private func basicFailure(_ request: AuthRequest, username: String, password: Secret) -> String? {
        let encoded = request.values(of: "authorization").compactMap { Self.credentials($0, scheme: "basic") }
        guard let first = encoded.first else { return "missing Basic credentials in the Authorization header" }
        guard let data = Data(base64Encoded: first), let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":")
        else { return "malformed Basic credentials" }
        // Both halves are compared, whatever the first gives, so timing says nothing about the user name.
        let userMatches = ConstantTime.equals(String(decoded[..<colon]), username)
        let passwordMatches = ConstantTime.equals(String(decoded[decoded.index(after: colon)...]), password.value)
        return userMatches && passwordMatches ? nil : "wrong Basic credentials"
    }

    /// The credentials after `scheme` (case-insensitive) in an Authorization value, or nil for another scheme.
    static func credentials(_ value: String, scheme: String) -> String? {
        // Byte-wise over UTF-8: this runs on every request, and Foundation's trimming costs more than the rest.
        let bytes = value.utf8
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isBlank($0) }) else { return nil }
        let rest = bytes[start...]
        guard let space = rest.firstIndex(where: isBlank),
              asciiCaseInsensitiveEquals(rest[..<space], scheme.utf8)
        else { return nil }
        let credentials = rest[space...]
        guard let first = credentials.firstIndex(where: { !isBlank($0) }),
              let last = credentials.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(Substring(value.utf8[first...last]))
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, as HTTP header names and auth schemes compare.
    func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        asciiCaseInsensitiveEquals(utf8, other.utf8)
    }
}

/// ASCII case-insensitive equality of two byte sequences.
func asciiCaseInsensitiveEquals(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
    func lower(_ byte: UInt8) -> UInt8 { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte }
    return left.count == right.count && zip(left, right).allSatisfy { lower($0) == lower($1) }
}
