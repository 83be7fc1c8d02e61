/// Requests to a registry's `/v2/` API with its authentication and bounded retries.
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RuleParser

/// An OCI distribution API client: authenticates as each registry asks (anonymous, Basic, Bearer
/// token for the request's scope), retries 5xx and connection errors a bounded number of times within
/// one call, and logs each retry.
public struct RegistryClient: Sendable {
    /// What a request needs to be allowed to do on its repositories.
    public struct Access: Sendable, Hashable {
        /// `repository:NAME:ACTIONS` scopes, as the token endpoint wants them.
        public var scopes: [String]

        /// Pull from `repository`.
        public static func pull(_ repository: RegistryRepository) -> Access {
            Access(scopes: ["repository:\(repository.name):pull"])
        }

        /// Pull and push on `repository`.
        public static func push(_ repository: RegistryRepository) -> Access {
            Access(scopes: ["repository:\(repository.name):pull,push"])
        }

        /// Push on `destination` and pull from `source` (a cross-repository mount).
        public static func mount(_ destination: RegistryRepository, from source: RegistryRepository) -> Access {
            Access(scopes: ["repository:\(destination.name):pull,push", "repository:\(source.name):pull"])
        }

        var key: String { scopes.joined(separator: " ") }
    }

    let http: HTTPClient
    let credentials: RegistryCredentials
    let tokens = RegistryTokens()
    let logger: Logger
    /// A CA bundle for HTTPS registries with a private CA.
    let caFile: String?
    /// Tries per request for 5xx answers and connection errors (bodies that can be sent again only).
    var triesPerRequest = 3
    /// The first pause between those tries; it doubles.
    var retryPause: Duration = .milliseconds(250)

    /// Creates a client over a shared `HTTPClient`.
    public init(http: HTTPClient, credentials: RegistryCredentials, caFile: String? = nil, logger: Logger) {
        self.http = http
        self.credentials = credentials
        self.caFile = caFile
        self.logger = logger
    }

    /// Sends one request to `repository`'s registry and returns the response, whose body the caller reads.
    /// A 401 with a challenge is answered once (token or Basic) and the request sent again, unless
    /// `body` is a stream that cannot be sent twice: then the caller should have authorised first.
    func send(_ method: HTTPMethod, _ url: String, on repository: RegistryRepository, access: Access,
              headers: [(String, String)] = [], body: HTTPClientRequest.Body? = nil, canResend: Bool = true,
              deadline: NIODeadline) async throws(OCIError) -> HTTPClientResponse {
        let what = "\(method.rawValue) \(Self.path(of: url))"
        var answeredChallenge = false
        var tries = 0
        while true {
            tries += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "User-Agent", value: HTTPExchange.userAgent)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization = await tokens.header(host: repository.host, scope: access.key) {
                request.headers.replaceOrAdd(name: "Authorization", value: authorization)
            }
            request.body = body
            if !repository.insecure, let caFile {
                request.tlsConfiguration = .makeClientConfiguration()
                request.tlsConfiguration?.trustRoots = .file(caFile)
            }
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, deadline: deadline)
            } catch {
                let problem = HTTPExchange.describe(error, timeout: .seconds(0))
                if canResend, tries < triesPerRequest, NIODeadline.now() < deadline {
                    logger.warning("registry request failed; trying again", metadata: ["request": "\(what)", "error": "\(problem)"])
                    try await pause(tries)
                    continue
                }
                throw OCIError("\(problem) on \(what) to \(repository.host)", retryable: true)
            }
            let status = Int(response.status.code)
            if status == 401, !answeredChallenge, let header = response.headers.first(name: "WWW-Authenticate"),
               let challenge = AuthChallenge(header) {
                await Self.discard(response)
                try await answer(challenge, repository: repository, access: access, deadline: deadline)
                answeredChallenge = true
                if canResend { continue }
                throw OCIError("HTTP 401 on \(what): authorised too late to send the body again", retryable: true)
            }
            if canResend, status >= 500 || status == 429, tries < triesPerRequest, NIODeadline.now() < deadline {
                await Self.discard(response)
                logger.warning("registry answered \(status); trying again", metadata: ["request": "\(what)", "registry": "\(repository.host)"])
                try await pause(tries)
                continue
            }
            return response
        }
    }

    /// Authorises `access` on `repository` ahead of a request whose body cannot be sent twice.
    func authorize(_ repository: RegistryRepository, access: Access, deadline: NIODeadline) async throws(OCIError) {
        guard await tokens.header(host: repository.host, scope: access.key) == nil else { return }
        let response = try await send(.GET, "\(repository.insecure ? "http" : "https")://\(repository.host)/v2/",
                                      on: repository, access: access, deadline: deadline)
        await Self.discard(response)
    }

    /// Earns the `Authorization` a challenge asks for and caches it.
    private func answer(_ challenge: AuthChallenge, repository: RegistryRepository, access: Access,
                        deadline: NIODeadline) async throws(OCIError) {
        let credentials = credentials.credentials(for: repository.host)
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw OCIError("\(repository.host) asks for a user name and password and none is configured")
            }
            await tokens.setBasic(Self.basic(credentials), host: repository.host)
        case "bearer":
            try await fetchToken(challenge, repository: repository, access: access, credentials: credentials, deadline: deadline)
        default:
            throw OCIError("\(repository.host) asks for '\(challenge.scheme)' authentication, which Harbinger does not speak")
        }
    }

    /// The Bearer-token flow: GET the realm with the service and scopes, Basic credentials if any.
    private func fetchToken(_ challenge: AuthChallenge, repository: RegistryRepository, access: Access,
                            credentials: Credentials?, deadline: NIODeadline) async throws(OCIError) {
        guard let realm = challenge.realm, var components = URLComponents(string: realm) else {
            throw OCIError("\(repository.host) sent a Bearer challenge without a usable realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        for scope in access.scopes { query.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = query
        guard let url = components.string else { throw OCIError("cannot build the token URL from realm '\(realm)'") }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: HTTPExchange.userAgent)
        if let credentials { request.headers.add(name: "Authorization", value: Self.basic(credentials)) }
        if url.hasPrefix("https"), let caFile {
            request.tlsConfiguration = .makeClientConfiguration()
            request.tlsConfiguration?.trustRoots = .file(caFile)
        }
        let body: ByteBuffer
        let status: Int
        do {
            let response = try await http.execute(request, deadline: deadline)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw OCIError("\(HTTPExchange.describe(error, timeout: .seconds(0))) fetching a token from \(realm)", retryable: true)
        }
        guard status == 200 else {
            throw OCIError.status(status, "the token endpoint \(realm)", body: String(decoding: body.readableBytesView, as: UTF8.self))
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
        guard let token = (json?["token"] as? String) ?? (json?["access_token"] as? String), !token.isEmpty else {
            throw OCIError("the token endpoint \(realm) answered without a token")
        }
        // The spec's default lifetime when expires_in is absent is 60 seconds.
        let seconds = (json?["expires_in"] as? NSNumber)?.intValue ?? 60
        await tokens.setBearer(token, host: repository.host, scope: access.key, lifetime: .seconds(max(seconds, 1)))
    }

    private func pause(_ tries: Int) async throws(OCIError) {
        do {
            try await Task.sleep(for: retryPause * (1 << (tries - 1)))
        } catch {
            throw OCIError("cancelled", retryable: true)
        }
    }

    static func basic(_ credentials: Credentials) -> String {
        "Basic " + Data("\(credentials.username):\(credentials.password.value)".utf8).base64EncodedString()
    }

    /// Reads a response body to its end, so the connection can serve the next request.
    static func discard(_ response: HTTPClientResponse) async {
        do {
            for try await _ in response.body {}
        } catch {
            // The connection is dropped instead of reused; nothing else depends on it.
        }
    }

    /// The start of a response body, for an error message.
    static func excerpt(_ response: HTTPClientResponse) async -> String {
        let body = try? await response.body.collect(upTo: 64 * 1024)
        return body.map { String(decoding: $0.readableBytesView, as: UTF8.self) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// `/v2/a/b/manifests/1.0` of a URL, for messages.
    static func path(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        return String(rest[(rest.firstIndex(of: "/") ?? rest.endIndex)...])
    }
}
