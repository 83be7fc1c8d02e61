import Testing
@testable import Router

private let context = DecodeContext(sourceName: "hub")
private let callback = "https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/"

private func decode(_ name: String, _ context: DecodeContext = context) throws -> [Event] {
    try DockerHubDecoder().decode(fixture("dockerhub", name), context: context)
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try DockerHubDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

private let testhookPush = Event(
    id: "", source: .dockerhub, sourceName: "hub", type: .push, registry: "docker.io", namespace: "svendowideit",
    repository: "svendowideit/testhook", tag: "latest", digest: nil, mediaType: nil, artifact: nil, size: nil,
    actor: "trustedbuilder", occurredAt: "2014-12-03T00:22:41Z", scan: nil, callbackURL: callback)

/// Docker Hub push webhooks, in both documented variants.
struct DockerHubDecoderTests {
    @Test func legacyPushWithFloatTimestampIsOnePush() throws {
        let events = try decode("push")
        #expect(events == [testhookPush])
        #expect(events.map(\.image) == ["docker.io/svendowideit/testhook:latest"])
    }

    @Test func currentDocsPushWithIntegerTimestampIsTheSamePush() throws {
        #expect(try decode("push-current-docs") == [testhookPush])
    }

    @Test func theSourceRegistryReplacesDockerIO() throws {
        let events = try decode("push", DecodeContext(sourceName: "hub", registry: "mirror.example.com"))
        #expect(events.map(\.registry) == ["mirror.example.com"])
    }

    @Test func aMinimalPushNeedsOnlyTheRepositoryName() throws {
        let events = try DockerHubDecoder().decode(
            payload(#"{"push_data": {"tag": "1.0", "extra": 1}, "repository": {"repo_name": "acme/web"}, "new": {}}"#),
            context: context)
        #expect(events == [
            Event(id: "", source: .dockerhub, sourceName: "hub", type: .push, registry: "docker.io", namespace: "acme",
                  repository: "acme/web", tag: "1.0", digest: nil, mediaType: nil, artifact: nil, size: nil,
                  actor: nil, occurredAt: nil, scan: nil, callbackURL: nil),
        ])
    }

    @Test func malformedPayloadsNameThePathAndProblem() {
        #expect(decodeError(#"{"push_data": {"tag": "1""#) == "invalid JSON at byte 25: unexpected end of input")
        #expect(decodeError(#"{"repository": {"repo_name": "a/b"}}"#) == "push_data: is missing")
        #expect(decodeError(#"{"push_data": {}}"#) == "repository: is missing")
        #expect(decodeError(#"{"push_data": {}, "repository": {}}"#) == "repository.repo_name: is missing")
        #expect(decodeError(#"{"push_data": {}, "repository": {"repo_name": 5}}"#)
            == "repository.repo_name: expected a string, found a number")
        #expect(decodeError(#"{"push_data": {"pushed_at": "yesterday"}, "repository": {"repo_name": "a/b"}}"#)
            == "push_data.pushed_at: expected a whole number, found a string")
        #expect(decodeError(#"{"push_data": {"tag": ["1"]}, "repository": {"repo_name": "a/b"}}"#)
            == "push_data.tag: expected a string, found an array")
    }
}
