import Foundation
import Testing
@testable import Runner

/// The first source of a rules file holding one source with these auth lines (and optional trusted proxies).
private func authenticator(_ auth: String, trustedProxies: String? = nil) throws -> SourceAuthenticator {
    var text = """
        version: 1
        sources:
          - name: hook
            kind: distribution
            auth:
        \(auth.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))

        """
    if let trustedProxies { text += "    trusted_proxies: \(trustedProxies)\n" }
    text += "rules: []\n"
    let result = RulesLoader(environment: [:]).load(text: text)
    let source = try #require(result.rules?.sources.first, "\(result.diagnostics)")
    return SourceAuthenticator(source: source)
}

private func request(_ headers: [(String, String)] = [], query: [(String, String)] = [], body: String = "",
                     peer: String? = "192.0.2.10") -> AuthRequest {
    AuthRequest(headers: headers.map { (name: $0.0, value: $0.1) }, query: query.map { (name: $0.0, value: $0.1) },
                body: Array(body.utf8), peer: peer.flatMap(IPAddress.init))
}

private func basic(_ credentials: String) -> String { "Basic " + Data(credentials.utf8).base64EncodedString() }

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("RouterTests/Fixtures")

/// A stored fixture request: its body bytes and its headers.
private func fixtureRequest(_ dir: String, _ name: String) throws -> AuthRequest {
    let base = fixtures.appendingPathComponent(dir).appendingPathComponent(name)
    let body = try Data(contentsOf: base.appendingPathExtension("json"))
    let text = try String(contentsOf: base.appendingPathExtension("headers"), encoding: .utf8)
    let headers = text.split(whereSeparator: \.isNewline).compactMap { line -> (name: String, value: String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (line[..<colon].trimmingCharacters(in: .whitespaces), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    return AuthRequest(headers: headers, body: Array(body), peer: IPAddress("192.0.2.10"))
}

private func isDenied(_ decision: SourceAuthenticator.Decision) -> Bool {
    if case .denied = decision { true } else { false }
}

struct SourceAuthenticatorTests {
    // MARK: - No auth, header

    @Test func aSourceWithoutAuthAllowsEveryRequest() throws {
        let auth = SourceAuthenticator(forms: [])
        #expect(auth.authenticate(request()) == .allowed)
        #expect(!auth.needsBody)
    }

    @Test func headerAuthNeedsTheExactValueUnderAnyNameCase() throws {
        let auth = try authenticator(#"- { header: X-Token, value: "s3cret" }"#)
        #expect(auth.authenticate(request([("x-token", "s3cret")])) == .allowed)
        #expect(auth.authenticate(request([("X-TOKEN", "s3cret")])) == .allowed)
        #expect(auth.authenticate(request([("X-Token", "s3cret ")])) == .denied("wrong value in header X-Token"))
        #expect(auth.authenticate(request([("X-Token", "S3CRET")])) == .denied("wrong value in header X-Token"))
        #expect(auth.authenticate(request([("X-Token", "")])) == .denied("wrong value in header X-Token"))
        #expect(auth.authenticate(request()) == .denied("missing header X-Token"))
    }

    // MARK: - Basic, bearer

    @Test func basicAuthParsesTheAuthorizationHeader() throws {
        let auth = try authenticator("- basic: { username: ci, password: \"pa:ss\" }")
        #expect(auth.authenticate(request([("Authorization", basic("ci:pa:ss"))])) == .allowed)
        #expect(auth.authenticate(request([("authorization", "basic " + Data("ci:pa:ss".utf8).base64EncodedString())])) == .allowed)
        #expect(auth.authenticate(request([("Authorization", basic("ci:wrong"))])) == .denied("wrong Basic credentials"))
        #expect(auth.authenticate(request([("Authorization", basic("other:pa:ss"))])) == .denied("wrong Basic credentials"))
        #expect(auth.authenticate(request([("Authorization", basic("no-colon"))])) == .denied("malformed Basic credentials"))
        #expect(auth.authenticate(request([("Authorization", "Basic !!!not-base64")])) == .denied("malformed Basic credentials"))
        #expect(auth.authenticate(request([("Authorization", "Bearer pa:ss")])) == .denied("missing Basic credentials in the Authorization header"))
        #expect(auth.authenticate(request()) == .denied("missing Basic credentials in the Authorization header"))
    }

    @Test func bearerAuthComparesTheToken() throws {
        let auth = try authenticator(#"- { bearer: "tok-123" }"#)
        #expect(auth.authenticate(request([("Authorization", "Bearer tok-123")])) == .allowed)
        #expect(auth.authenticate(request([("Authorization", "bearer   tok-123")])) == .allowed)
        #expect(auth.authenticate(request([("Authorization", "Bearer tok-124")])) == .denied("wrong bearer token"))
        #expect(auth.authenticate(request([("Authorization", "Bearer tok-1234")])) == .denied("wrong bearer token"))
        #expect(auth.authenticate(request([("Authorization", "tok-123")])) == .denied("missing bearer token in the Authorization header"))
        #expect(auth.authenticate(request([("Authorization", basic("tok-123:x"))])) == .denied("missing bearer token in the Authorization header"))
        #expect(auth.authenticate(request()) == .denied("missing bearer token in the Authorization header"))
    }

    @Test func secretsCompareEqualOnlyWhenEveryByteAndTheLengthMatch() {
        #expect(ConstantTime.equals("tok-123", "tok-123"))
        #expect(ConstantTime.equals("", ""))
        #expect(ConstantTime.equals("ä-ü", "ä-ü"))
        for given in ["tok-124", "Tok-123", "tok-12", "tok-1234", "tok-123tok-123", "", "t", "tok-123\0"] {
            #expect(!ConstantTime.equals(given, "tok-123"), "\(given)")
        }
        #expect(!ConstantTime.equals("x", ""))
        // The secret repeated to the given length is still not the secret.
        #expect(!ConstantTime.equals("abab", "ab"))
        // Lengths that differ by a multiple of 256 are not mistaken for equal ones.
        #expect(!ConstantTime.equals(String(repeating: "a", count: 257), "a"))
    }

    // MARK: - Query

    @Test func queryAuthComparesTheParameter() throws {
        let auth = try authenticator(#"- { query: token, value: "q-secret" }"#)
        #expect(auth.authenticate(request(query: [("token", "q-secret")])) == .allowed)
        #expect(auth.authenticate(request(query: [("token", "q-secret"), ("token", "other")])) == .allowed)
        #expect(auth.authenticate(request(query: [("token", "nope")])) == .denied("wrong value in query parameter token"))
        #expect(auth.authenticate(request(query: [("Token", "q-secret")])) == .denied("missing query parameter token"))
        #expect(auth.authenticate(request()) == .denied("missing query parameter token"))
    }

    // MARK: - HMAC

    @Test func hmacAcceptsGitHubsDocumentedExampleSignature() throws {
        let auth = try authenticator(#"- { hmac: sha256, header: X-Hub-Signature-256, secret: "It's a Secret to Everybody" }"#)
        #expect(auth.needsBody)
        let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(auth.authenticate(request([("X-Hub-Signature-256", signature)], body: "Hello, World!")) == .allowed)
        #expect(auth.authenticate(request([("X-Hub-Signature-256", signature.uppercased())], body: "Hello, World!")) == .allowed)
        #expect(auth.authenticate(request([("X-Hub-Signature-256", signature)], body: "Hello, World?"))
            == .denied("signature in header X-Hub-Signature-256 does not match the body"))
        #expect(auth.authenticate(request([("X-Hub-Signature-256", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")],
                                          body: "Hello, World!")) == .allowed, "bare hex is accepted without a configured prefix")
        #expect(auth.authenticate(request(body: "Hello, World!")) == .denied("missing signature header X-Hub-Signature-256"))
    }

    @Test func hmacRejectsMalformedAndTruncatedSignatures() throws {
        let auth = try authenticator(#"- { hmac: sha256, header: X-Hub-Signature-256, secret: "It's a Secret to Everybody" }"#)
        let malformed = "malformed signature in header X-Hub-Signature-256"
        for value in ["sha256=", "sha256=xyz", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1", "", "sha1=abcd!"] {
            #expect(auth.authenticate(request([("X-Hub-Signature-256", value)], body: "Hello, World!")) == .denied(malformed), "\(value)")
        }
        let truncated = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e"
        #expect(auth.authenticate(request([("X-Hub-Signature-256", truncated)], body: "Hello, World!"))
            == .denied("signature in header X-Hub-Signature-256 does not match the body"))
        let sha1Label = "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(auth.authenticate(request([("X-Hub-Signature-256", sha1Label)], body: "Hello, World!")) == .denied(malformed))
    }

    @Test func hmacWithAnExplicitPrefixRequiresIt() throws {
        let auth = try authenticator(#"- { hmac: sha512, header: X-Signature, secret: "It's a Secret to Everybody", prefix: "v1," }"#)
        let hex = "11ed355a617e98134e842012a7944ccf59c10256cb182357bd7e3a42013ff07c376f8c14cf5cc1923da20b51d64256b2fb8ebbf100aa67a61326f61fea8111bc"
        #expect(auth.authenticate(request([("X-Signature", "v1," + hex)], body: "Hello, World!")) == .allowed)
        #expect(auth.authenticate(request([("X-Signature", "V1," + hex.uppercased())], body: "Hello, World!")) == .allowed)
        #expect(auth.authenticate(request([("X-Signature", hex)], body: "Hello, World!")) == .denied("malformed signature in header X-Signature"))
        #expect(auth.authenticate(request([("X-Signature", "sha512=" + hex)], body: "Hello, World!")) == .denied("malformed signature in header X-Signature"))
    }

    @Test func hmacAcceptsANexusStyleBareSHA1Hex() throws {
        let auth = try authenticator(#"- { hmac: sha1, header: X-Nexus-Webhook-Signature, secret: "It's a Secret to Everybody" }"#)
        let hex = "01dc10d0c83e72ed246219cdd91669667fe2ca59"
        #expect(auth.authenticate(request([("X-Nexus-Webhook-Signature", hex)], body: "Hello, World!")) == .allowed)
        #expect(auth.authenticate(request([("X-Nexus-Webhook-Signature", "sha1=" + hex)], body: "Hello, World!")) == .allowed)
        #expect(auth.authenticate(request([("X-Nexus-Webhook-Signature", hex)], body: "Hello, World! ")) == .denied(
            "signature in header X-Nexus-Webhook-Signature does not match the body"))
    }

    @Test func hmacVerifiesTheSignedGHCRFixtures() throws {
        let sha256 = try authenticator(#"- { hmac: sha256, header: X-Hub-Signature-256, secret: "It's a Secret to Everybody" }"#)
        let sha1 = try authenticator(#"- { hmac: sha1, header: X-Hub-Signature, secret: "It's a Secret to Everybody" }"#)
        let wrongSecret = try authenticator(#"- { hmac: sha256, header: X-Hub-Signature-256, secret: "It's a secret to everybody" }"#)
        for name in ["package-published", "registry_package-published"] {
            let fixture = try fixtureRequest("ghcr", name)
            #expect(sha256.authenticate(fixture) == .allowed, "\(name)")
            #expect(sha1.authenticate(fixture) == .allowed, "\(name)")
            #expect(isDenied(wrongSecret.authenticate(fixture)), "\(name)")
            var tampered = fixture
            tampered.body.append(UInt8(ascii: "\n"))
            #expect(isDenied(sha256.authenticate(tampered)), "\(name)")
        }
    }

    @Test func hmacVerifiesTheSignedNexusFixtures() throws {
        let auth = try authenticator(#"- { hmac: sha1, header: X-Nexus-Webhook-Signature, secret: nexus-webhook-secret }"#)
        let sha256 = try authenticator(#"- { hmac: sha256, header: X-Nexus-Webhook-Signature, secret: nexus-webhook-secret }"#)
        for name in ["component-created", "component-deleted", "asset-created"] {
            let fixture = try fixtureRequest("nexus", name)
            #expect(auth.authenticate(fixture) == .allowed, "\(name)")
            #expect(isDenied(sha256.authenticate(fixture)), "an SHA-1 signature never passes as SHA-256: \(name)")
        }
    }

    // MARK: - CIDR and X-Forwarded-For

    @Test func cidrChecksThePeerAddress() throws {
        let auth = try authenticator("- cidr: [10.0.0.0/8, \"fd00::/8\"]")
        #expect(auth.authenticate(request(peer: "10.1.2.3")) == .allowed)
        #expect(auth.authenticate(request(peer: "::ffff:10.1.2.3")) == .allowed)
        #expect(auth.authenticate(request(peer: "fd12::1")) == .allowed)
        #expect(auth.authenticate(request(peer: "192.0.2.10")) == .denied("client address 192.0.2.10 is not in an allowed block"))
        #expect(auth.authenticate(request(peer: nil)) == .denied("the client address could not be determined"))
    }

    @Test func forwardedForFromAnUntrustedPeerIsIgnored() throws {
        let auth = try authenticator("- cidr: [10.0.0.0/8]", trustedProxies: "[172.16.0.0/12]")
        // The peer is not a trusted proxy: whatever it claims, the peer address is the client.
        #expect(auth.authenticate(request([("X-Forwarded-For", "10.1.2.3")], peer: "192.0.2.10"))
            == .denied("client address 192.0.2.10 is not in an allowed block"))
    }

    @Test func forwardedForFromATrustedProxyIsWalkedFromTheRight() throws {
        let auth = try authenticator("- cidr: [10.0.0.0/8]", trustedProxies: "[172.16.0.0/12]")
        #expect(auth.authenticate(request([("X-Forwarded-For", "10.1.2.3")], peer: "172.16.0.5")) == .allowed)
        // The client cannot spoof an allowed address by prepending it: the rightmost untrusted entry decides.
        #expect(auth.authenticate(request([("X-Forwarded-For", "10.9.9.9, 192.0.2.77")], peer: "172.16.0.5"))
            == .denied("client address 192.0.2.77 is not in an allowed block"))
        // Trusted proxies in the chain are skipped, over several headers.
        #expect(auth.authenticate(request([("X-Forwarded-For", "192.0.2.1, 10.1.2.3"), ("x-forwarded-for", "172.20.0.1")],
                                          peer: "172.16.0.5")) == .allowed)
        // No header: the proxy itself is the client.
        #expect(auth.authenticate(request(peer: "172.16.0.5")) == .denied("client address 172.16.0.5 is not in an allowed block"))
        #expect(auth.authenticate(request([("X-Forwarded-For", "not-an-ip")], peer: "172.16.0.5"))
            == .denied("the client address could not be determined"))
    }

    @Test func forwardedForEntriesMayCarryPorts() {
        let proxies = [try? CIDR(parsing: "127.0.0.0/8")].compactMap { $0 }
        let peer = IPAddress("127.0.0.1")
        #expect(ClientAddress.resolve(peer: peer, forwardedFor: ["10.0.0.1:5000"], trustedProxies: proxies) == IPAddress("10.0.0.1"))
        #expect(ClientAddress.resolve(peer: peer, forwardedFor: ["[fd00::1]:443"], trustedProxies: proxies) == IPAddress("fd00::1"))
        #expect(ClientAddress.resolve(peer: peer, forwardedFor: ["127.0.0.2, 127.0.0.3"], trustedProxies: proxies) == IPAddress("127.0.0.2"))
    }

    // MARK: - Combined forms

    @Test func combinedFormsMustAllHold() throws {
        let auth = try authenticator("""
            - { bearer: "tok" }
            - { query: key, value: "k" }
            - { hmac: sha256, header: X-Hub-Signature-256, secret: "It's a Secret to Everybody" }
            - cidr: [192.0.2.0/24]
            """)
        let signature = ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        let good = request([("Authorization", "Bearer tok"), signature], query: [("key", "k")], body: "Hello, World!")
        #expect(auth.authenticate(good) == .allowed)
        #expect(auth.authenticate(request([("Authorization", "Bearer tok"), signature], body: "Hello, World!"))
            == .denied("missing query parameter key"))
        #expect(auth.authenticate(request([signature], query: [("key", "k")], body: "Hello, World!"))
            == .denied("missing bearer token in the Authorization header"))
        var other = good
        other.peer = IPAddress("198.51.100.1")
        #expect(auth.authenticate(other) == .denied("client address 198.51.100.1 is not in an allowed block"))
        #expect(auth.authenticate(request(peer: "198.51.100.1")) == .denied(
            "missing bearer token in the Authorization header; missing query parameter key; "
                + "missing signature header X-Hub-Signature-256; client address 198.51.100.1 is not in an allowed block"))
    }

    @Test func scopesSplitTheChecksAroundReadingTheBody() throws {
        let auth = try authenticator("""
            - { header: X-Token, value: "t" }
            - { hmac: sha1, header: X-Sig, secret: "It's a Secret to Everybody" }
            """)
        let headersOnly = request([("X-Token", "t")])
        #expect(auth.authenticate(headersOnly, scope: .withoutBody) == .allowed)
        #expect(auth.authenticate(headersOnly, scope: .bodyOnly) == .denied("missing signature header X-Sig"))
        let signed = request([("X-Sig", "01dc10d0c83e72ed246219cdd91669667fe2ca59")], body: "Hello, World!")
        #expect(auth.authenticate(signed, scope: .bodyOnly) == .allowed)
        #expect(auth.authenticate(signed, scope: .withoutBody) == .denied("missing header X-Token"))
    }

    @Test func denialReasonsNeverContainSecretsOrSentValues() throws {
        let secrets = ["hdr-secret-value", "basic-pass-word", "bearer-tok-en", "query-sec-ret", "hmac-sec-ret"]
        let auth = try authenticator("""
            - { header: X-Token, value: "hdr-secret-value" }
            - basic: { username: u, password: "basic-pass-word" }
            - { bearer: "bearer-tok-en" }
            - { query: key, value: "query-sec-ret" }
            - { hmac: sha256, header: X-Sig, secret: "hmac-sec-ret" }
            """)
        let sent = ["sent-header-guess", "sent-bearer-guess", "sent-query-guess"]
        let decision = auth.authenticate(request([("X-Token", sent[0]), ("Authorization", "Bearer " + sent[1]), ("X-Sig", "sha256=00")],
                                                 query: [("key", sent[2])], body: "x"))
        guard case .denied(let reason) = decision else { Issue.record("expected a denial"); return }
        for text in secrets + sent { #expect(!reason.contains(text), "\(text)") }
    }
}
