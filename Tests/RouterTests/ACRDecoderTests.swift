import Testing
@testable import Router

private let context = DecodeContext(sourceName: "azure", registry: "fallback.azurecr.io")
private let manifestDigest = "sha256:80f0d5c8786bb9e621a45ece0db56d11cdc624ad20da9fe62e9d25490f331d7d"
private let chartDigest = "sha256:5e1a8075264b5ba7c14c236729b3d52ae6a3ebac1c47916e4efe19cd624dc7f0"
private let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"

private func decode(_ payload: Payload, _ context: DecodeContext = context) throws -> [Event] {
    try ACRDecoder().decode(payload, context: context)
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try ACRDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

@Test func acrPushIsOneTaggedPush() throws {
    let events = try decode(fixture("acr", "push"))
    #expect(events == [
        Event(id: "cb8c3971-9adc-488b-bdd8-43cbb4974ff5", source: .acr, sourceName: "azure", type: .push,
              registry: "myregistry.azurecr.io", namespace: nil, repository: "hello-world", tag: "v1",
              digest: manifestDigest, mediaType: dockerManifest, artifact: .image, size: 524, actor: nil,
              occurredAt: "2017-11-17T16:52:01.343145347Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["myregistry.azurecr.io/hello-world:v1"])
}

@Test func acrDeleteHasNoTagAndNoSize() throws {
    let events = try decode(fixture("acr", "delete"))
    #expect(events == [
        Event(id: "afc359ce-df7f-4e32-bdde-1ff8aa80927b", source: .acr, sourceName: "azure", type: .delete,
              registry: "myregistry.azurecr.io", namespace: nil, repository: "hello-world", tag: nil,
              digest: manifestDigest, mediaType: dockerManifest, artifact: .image, size: nil, actor: nil,
              occurredAt: "2017-11-17T16:54:53.657764628Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["myregistry.azurecr.io/hello-world@\(manifestDigest)"])
}

@Test func acrChartPushNamesTheChartAndItsVersion() throws {
    let events = try decode(fixture("acr", "chart_push"))
    #expect(events == [
        Event(id: "6356e9e0-627f-4fed-8a41-d9059b5143ac", source: .acr, sourceName: "azure", type: .chartPush,
              registry: "fallback.azurecr.io", namespace: "repo", repository: "repo/wordpress", tag: "5.4.0",
              digest: chartDigest, mediaType: "application/vnd.acr.helm.chart", artifact: .chart, size: 25265,
              actor: nil, occurredAt: "2023-03-05T23:45:31.2614267Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["fallback.azurecr.io/repo/wordpress:5.4.0"])
}

@Test func acrChartDeleteWithoutSourceRegistryHasNoHost() throws {
    let events = try decode(fixture("acr", "chart_delete"), DecodeContext(sourceName: "azure"))
    #expect(events == [
        Event(id: "338a3ef7-ad68-4128-9e2c-fdd3af8e8f67", source: .acr, sourceName: "azure", type: .chartDelete,
              registry: nil, namespace: "repo", repository: "repo/wordpress", tag: "5.4.0",
              digest: chartDigest, mediaType: "application/vnd.acr.helm.chart", artifact: .chart, size: 25265,
              actor: nil, occurredAt: "2023-03-06T00:10:48.1270754Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["repo/wordpress:5.4.0"])
}

@Test func acrPingYieldsNoEvents() throws {
    #expect(try decode(payload(#"{"id": "p", "action": "ping", "target": {}}"#)).isEmpty)
}

@Test func acrLengthStandsInForSizeAndActorIsRead() throws {
    let events = try decode(payload("""
        {"action": "push", "target": {"repository": "team/app", "length": 7, "mediaType": "application/vnd.oci.image.index.v1+json"},
         "actor": {"name": "ci"}, "unknown": [1, {"x": null}]}
        """))
    #expect(events.map(\.size) == [7])
    #expect(events.map(\.actor) == ["ci"])
    #expect(events.map(\.artifact) == [.index])
    #expect(events.map(\.namespace) == ["team"])
    #expect(events.map(\.id) == [""])
    #expect(events.map(\.occurredAt) == [nil])
}

@Test func acrBlobTargetsAreDropped() throws {
    #expect(try decode(payload(#"{"action": "push", "target": {"repository": "a", "mediaType": "application/octet-stream"}}"#)).isEmpty)
}

@Test func acrTruncatedJSONIsRefused() {
    #expect(decodeError(#"{"action": "push", "target": {"repository": "a""#) == "invalid JSON at byte 47: unexpected end of input")
}

@Test func acrErrorsNameThePath() {
    #expect(decodeError(#"{"target": {}}"#) == "action: is missing")
    #expect(decodeError(#"{"action": "push"}"#) == "target: is missing")
    #expect(decodeError(#"{"action": "push", "target": {"tag": "v1"}}"#) == "target.repository: is missing")
    #expect(decodeError(#"{"action": "push", "target": {"repository": "a", "size": "x"}}"#)
        == "target.size: expected a whole number, found a string")
    #expect(decodeError(#"{"action": "push", "target": {"repository": "a", "digest": 1}}"#)
        == "target.digest: expected a string, found a number")
    #expect(decodeError(#"{"action": "push", "target": {"repository": "a"}, "request": "host"}"#)
        == "request: expected an object, found a string")
}

@Test func acrUnknownActionIsRefused() {
    #expect(decodeError(#"{"action": "quarantine", "target": {"repository": "a"}}"#) == "action: unsupported ACR action 'quarantine'")
}
