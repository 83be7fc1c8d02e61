import Testing
@testable import Router

private let context = DecodeContext(sourceName: "jfrog", registry: "docker.example.jfrog.io")

private func decode(_ payload: Payload, _ context: DecodeContext = context) throws -> [Event] {
    try ArtifactoryDecoder().decode(payload, context: context)
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try ArtifactoryDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

@Test func artifactoryDockerPushedIsAPushOfTheImageName() throws {
    let events = try decode(fixture("artifactory", "docker-pushed"))
    #expect(events == [
        Event(id: "", source: .artifactory, sourceName: "jfrog", type: .push, registry: "docker.example.jfrog.io",
              namespace: "library", repository: "library/ubuntu", tag: "latest",
              digest: "sha256:35c4a2c15539c6c1e4e5fa4e554dac323ad0107d8eb5c582d6ff386b383b7dce", mediaType: nil,
              artifact: .index, size: 1206, actor: "jfrog/user@example.com", occurredAt: nil, scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["docker.example.jfrog.io/library/ubuntu:latest"])
}

@Test func artifactoryDockerDeletedIsADelete() throws {
    let events = try decode(fixture("artifactory", "docker-deleted"), DecodeContext(sourceName: "jfrog"))
    #expect(events == [
        Event(id: "", source: .artifactory, sourceName: "jfrog", type: .delete, registry: nil,
              namespace: "acme", repository: "acme/web", tag: "1.4.2",
              digest: "sha256:d9e90214f8960dcaad5142963de8d65c58def2c59b0b9b17f40b330cb0cbeafc", mediaType: nil,
              artifact: .image, size: 1576, actor: "jfrog/ci-bot", occurredAt: nil, scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["acme/web:1.4.2"])
}

@Test func artifactoryReferenceFallsBackToThePath() throws {
    let events = try decode(payload("""
        {"domain": "docker", "event_type": "pushed", "data": {"repo_key": "docker-local", "path": "team/app/2.0/manifest.json",
         "sha256": "\(String(repeating: "AB", count: 32))", "future": {"x": 1}}, "jpd_origin": "https://x"}
        """))
    #expect(events.map(\.repository) == ["team/app"])
    #expect(events.map(\.tag) == ["2.0"])
    #expect(events.map(\.digest) == ["sha256:" + String(repeating: "ab", count: 32)])
    #expect(events.map(\.artifact) == [nil])
    #expect(events.map(\.actor) == [nil])
}

@Test func artifactoryTruncatedJSONIsRefused() {
    #expect(decodeError(#"{"domain": "docker", "data": {"#) == "invalid JSON at byte 30: expected a member name")
}

@Test func artifactoryErrorsNameThePath() {
    #expect(decodeError(#"{"event_type": "pushed"}"#) == "domain: is missing")
    #expect(decodeError(#"{"domain": "docker", "event_type": "pushed"}"#) == "data: is missing")
    #expect(decodeError(#"{"domain": "docker", "event_type": "pushed", "data": {"tag": "1"}}"#) == "data.image_name: is missing")
    #expect(decodeError(#"{"domain": "docker", "event_type": "pushed", "data": {"image_name": ["a"]}}"#)
        == "data.image_name: expected a string, found an array")
    #expect(decodeError(#"{"domain": "docker", "event_type": "pushed", "data": {"image_name": "a", "sha256": "abc"}}"#)
        == "data.sha256: expected 64 hex digits, found 'abc'")
    #expect(decodeError(#"{"domain": "docker", "event_type": "pushed", "data": {"image_name": "a", "size": true}}"#)
        == "data.size: expected a whole number, found a boolean")
}

@Test func artifactoryUnknownDomainsAndEventsAreRefused() {
    #expect(decodeError(#"{"domain": "artifact", "event_type": "deployed", "data": {}}"#)
        == "domain: unsupported Artifactory webhook domain 'artifact' (only 'docker' is routed)")
    #expect(decodeError(#"{"domain": "docker", "event_type": "promoted", "data": {}}"#)
        == "event_type: unsupported Artifactory docker event 'promoted'")
}
