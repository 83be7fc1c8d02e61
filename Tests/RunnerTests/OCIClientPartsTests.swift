import Foundation
import Testing
@testable import Runner

@Test func aBearerChallengeIsReadWithItsQuotedParameters() throws {
    let challenge = try #require(AuthChallenge(
        #"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:shop/web:pull,push""#))
    #expect(challenge.scheme == "bearer")
    #expect(challenge.realm == "https://auth.example.com/token")
    #expect(challenge.parameters["service"] == "registry.example.com")
    #expect(challenge.parameters["scope"] == "repository:shop/web:pull,push")
}

@Test func aBasicChallengeAndEscapesAreRead() throws {
    let basic = try #require(AuthChallenge(#"Basic realm="a \"quoted\" realm""#))
    #expect(basic.scheme == "basic")
    #expect(basic.realm == #"a "quoted" realm"#)
    #expect(AuthChallenge("") == nil)
}

@Test func dockerConfigAuthsAreReadByNormalisedHost() throws {
    let config = Data("""
        {"auths": {
          "https://index.docker.io/v1/": {"auth": "\(Data("hub:pw1".utf8).base64EncodedString())"},
          "registry.example.com:5000": {"username": "ci", "password": "pw:2"}
        }}
        """.utf8)
    let auths = try DockerConfig.parse(config, path: "config.json")
    let credentials = RegistryCredentials(byHost: ["registry.example.com:5000": .init(username: "own", password: .init("x"))],
                                          dockerConfig: auths)
    #expect(credentials.credentials(for: "registry-1.docker.io")?.username == "hub")
    #expect(credentials.credentials(for: "registry-1.docker.io")?.password.value == "pw1")
    // The action's own credentials win over the config's.
    #expect(credentials.credentials(for: "registry.example.com:5000")?.username == "own")
    #expect(RegistryCredentials(dockerConfig: auths).credentials(for: "registry.example.com:5000")?.password.value == "pw:2")
    #expect(credentials.credentials(for: "other.example.com") == nil)
}

@Test func aDockerConfigWithAnIdentityTokenIsAClearError() {
    let config = Data(#"{"auths": {"ghcr.io": {"identitytoken": "abc"}}}"#.utf8)
    #expect(throws: DockerConfig.Problem.self) { try DockerConfig.parse(config, path: "c.json") }
}

@Test func dockerHubNamesAreNormalisedLikeDockerDoes() {
    let hub = RegistryRepository(host: "docker.io", name: "nginx")
    #expect(hub.host == "registry-1.docker.io")
    #expect(hub.name == "library/nginx")
    #expect(RegistryRepository(reference: "127.0.0.1:5000/shop/web", insecure: true)?.apiBase == "http://127.0.0.1:5000/v2/shop/web")
    #expect(RegistryRepository(reference: "no-path") == nil)
}

@Test func aRenderedDestinationMustBeAValidRepositoryAndTag() throws {
    let (config, _) = try ActionFixture.config(#"replicate: { to: "prod.example.com/{{repository}}", tag: "{{actor}} x" }"#,
                                                as: ReplicateActionConfig.self)
    guard case .failure(let problem) = ReplicateAction.plan(config, event: ActionFixture.event) else {
        Issue.record("a tag with a space was accepted")
        return
    }
    #expect(problem.message == "the destination tag 'alice x' is not a valid tag")
    #expect(ReplicateAction.isRepositoryName("shop/web-app_1.x"))
    #expect(!ReplicateAction.isRepositoryName("Shop/web"))
    #expect(!ReplicateAction.isRepositoryName("shop//web"))
}

@Test func aPushIsCopiedByDigestAndTaggedWithTheEventsTag() throws {
    let (config, _) = try ActionFixture.config(#"replicate: { to: "prod.example.com/mirror/{{repository}}" }"#,
                                                as: ReplicateActionConfig.self)
    guard case .success(let plan) = ReplicateAction.plan(config, event: ActionFixture.event) else {
        Issue.record("no plan")
        return
    }
    #expect(plan.source == RegistryRepository(host: "registry.example.com", name: "shop/web"))
    #expect(plan.reference == "sha256:0123abcd")
    #expect(plan.destination.description == "prod.example.com/mirror/shop/web")
    #expect(plan.tag == "1.2.3")
    #expect(!plan.isDelete)
    #expect(config.timeout == .seconds(600))
}

@Test func anIndexIsFilteredToTheChosenPlatforms() throws {
    let index = #"""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aa","size":1,"platform":{"os":"linux","architecture":"amd64"}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:bb","size":1,"platform":{"os":"linux","architecture":"arm","variant":"v7"}}]}
        """#
    let manifest = try Manifest(bytes: Array(index.utf8), contentType: nil, expectedDigest: nil)
    #expect(manifest.isIndex)
    #expect(manifest.children.map(\.platform) == ["linux/amd64", "linux/arm/v7"])
    let arm = try manifest.keeping(platforms: ["linux/arm"])
    #expect(arm.children.map(\.digest) == ["sha256:bb"])
    #expect(arm.digest != manifest.digest)
    #expect(throws: OCIError.self) { try manifest.keeping(platforms: ["windows/amd64"]) }
}

@Test func aManifestWhoseBytesDoNotMatchTheDigestAskedForIsRejected() {
    let bytes = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:c","size":2},"layers":[]}"#.utf8)
    #expect(throws: OCIError.self) { try Manifest(bytes: bytes, contentType: nil, expectedDigest: "sha256:0000") }
    #expect(throws: OCIError.self) {
        try Manifest(bytes: Array(#"{"schemaVersion":1,"name":"a"}"#.utf8),
                     contentType: "application/vnd.docker.distribution.manifest.v1+prettyjws", expectedDigest: nil)
    }
}
