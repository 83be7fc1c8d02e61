/// An inbound endpoint: `POST /hooks/<name>` speaking one sender's format.
public struct Source: Sendable {
    /// The name in the URL path; unique across the rules set.
    public var name: String
    /// The sender's payload format.
    public var kind: SourceKind
    /// Registry host for image references when the payload lacks one.
    public var registry: String?
    /// Every auth form listed must hold.
    public var auth: [SourceAuth]
    /// Keep blob/layer events instead of dropping them.
    public var includeBlobs: Bool
    /// Proxies whose `X-Forwarded-For` is trusted for `cidr` checks.
    public var trustedProxies: [CIDR]
    /// The largest body this source accepts, when it differs from the server's.
    public var maxBody: ByteSize?
    /// Free text.
    public var description: String?
    /// Where the source is declared.
    public var mark: Mark

    /// Creates a source.
    public init(name: String, kind: SourceKind, registry: String? = nil, auth: [SourceAuth] = [], includeBlobs: Bool = false,
                trustedProxies: [CIDR] = [], maxBody: ByteSize? = nil, description: String? = nil,
                mark: Mark = Mark(file: "", line: 0, column: 0)) {
        self.name = name
        self.kind = kind
        self.registry = registry
        self.auth = auth
        self.includeBlobs = includeBlobs
        self.trustedProxies = trustedProxies
        self.maxBody = maxBody
        self.description = description
        self.mark = mark
    }
}

/// One way a source authenticates its sender.
public enum SourceAuth: Sendable {
    /// A header that must carry exactly this value.
    case header(name: String, value: Secret)
    /// HTTP Basic credentials.
    case basic(username: String, password: Secret)
    /// `Authorization: Bearer <token>`.
    case bearer(Secret)
    /// A query parameter that must carry exactly this value.
    case query(parameter: String, value: Secret)
    /// An HMAC of the raw body in a header.
    case hmac(HMACAuth)
    /// The client address must be in one of these blocks.
    case cidr([CIDR])
}

/// HMAC signature check settings (GitHub's `sha256=<hex>`, Nexus's bare hex).
public struct HMACAuth: Sendable {
    /// The digest algorithms an HMAC can use.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha1, sha256, sha512
    }

    /// The digest algorithm.
    public var algorithm: Algorithm
    /// The header holding the signature.
    public var header: String
    /// The shared secret.
    public var secret: Secret
    /// Text before the hex digest, e.g. `sha256=`; nil accepts the bare digest or `<algorithm>=`.
    public var prefix: String?
}
