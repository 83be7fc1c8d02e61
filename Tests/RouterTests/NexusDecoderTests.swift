import Testing
@testable import Router

private let context = DecodeContext(sourceName: "nexus", registry: "nexus.example.com:8082")

private func decode(_ payload: Payload, _ context: DecodeContext = context) throws -> [Event] {
    try NexusDecoder().decode(payload, context: context)
}

private func component(_ hook: String = "rm:repository:component") -> [(name: String, value: String)] {
    [("X-Nexus-Webhook-ID", hook), ("X-Nexus-Webhook-Delivery", "n-1")]
}

private func decodeError(_ json: String, hook: String = "rm:repository:component") -> String? {
    do throws(DecodeError) {
        _ = try NexusDecoder().decode(payload(json, headers: component(hook)), context: context)
        return nil
    } catch {
        return error.description
    }
}

@Test func nexusComponentCreatedIsAPush() throws {
    let events = try decode(fixture("nexus", "component-created"))
    #expect(events == [
        Event(id: "4f1e2d3c-5b6a-4798-8a9b-0c1d2e3f4a5b", source: .nexus, sourceName: "nexus", type: .push,
              registry: "nexus.example.com:8082", namespace: "acme", repository: "acme/web", tag: "1.4.2", digest: nil,
              mediaType: nil, artifact: nil, size: nil, actor: "ci-bot", occurredAt: "2026-11-22T10:05:00.412+00:00",
              scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["nexus.example.com:8082/acme/web:1.4.2"])
}

@Test func nexusComponentDeletedIsADelete() throws {
    let events = try decode(fixture("nexus", "component-deleted"), DecodeContext(sourceName: "nexus"))
    #expect(events == [
        Event(id: "d2c1b0a9-8f7e-4d6c-b5a4-f3e2d1c0b9a8", source: .nexus, sourceName: "nexus", type: .delete,
              registry: nil, namespace: "acme", repository: "acme/web", tag: "1.4.2", digest: nil,
              mediaType: nil, artifact: nil, size: nil, actor: "admin", occurredAt: "2026-11-23T08:00:12.007+00:00",
              scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["acme/web:1.4.2"])
}

@Test func nexusManifestAssetCreatedIsAPush() throws {
    let events = try decode(fixture("nexus", "asset-created"))
    #expect(events == [
        Event(id: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", source: .nexus, sourceName: "nexus", type: .push,
              registry: "nexus.example.com:8082", namespace: "acme", repository: "acme/web", tag: "1.4.2", digest: nil,
              mediaType: nil, artifact: nil, size: nil, actor: "ci-bot", occurredAt: "2026-11-22T10:05:00.398+00:00",
              scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["nexus.example.com:8082/acme/web:1.4.2"])
}

@Test func nexusAssetByDigestAndBlobAssets() throws {
    let digest = "sha256:" + String(repeating: "0f", count: 32)
    let byDigest = try decode(payload("""
        {"action": "DELETED", "initiator": "anonymous", "timestamp": "2026-11-22T10:05:00.398+00:00",
         "asset": {"format": "docker", "name": "/v2/team/sub/app/manifests/\(digest)"}}
        """, headers: component("rm:repository:asset")))
    #expect(byDigest.map(\.type) == [.delete])
    #expect(byDigest.map(\.repository) == ["team/sub/app"])
    #expect(byDigest.map(\.digest) == [digest])
    #expect(byDigest.map(\.tag) == [nil])
    #expect(byDigest.map(\.actor) == ["anonymous"])
    #expect(byDigest.map(\.occurredAt) == ["2026-11-22T10:05:00.398+00:00"])
    let blob = #"{"action": "CREATED", "asset": {"format": "docker", "name": "v2/-/blobs/\#(digest)"}}"#
    #expect(try decode(payload(blob)).isEmpty)
}

@Test func nexusOtherFormatsAndPurgesYieldNoEvents() throws {
    #expect(try decode(payload(#"{"action": "CREATED", "component": {"format": "npm", "name": "angular2", "version": "1"}}"#)).isEmpty)
    #expect(try decode(payload(#"{"action": "PURGED", "components": ["a"]}"#)).isEmpty)
}

@Test func nexusHelmComponentsAreCharts() throws {
    let events = try decode(payload(#"{"action": "UPDATED", "component": {"format": "helm", "name": "wordpress", "version": "5.4.0"}}"#))
    #expect(events.map(\.type) == [.chartPush])
    #expect(events.map(\.artifact) == [.chart])
    #expect(events.map(\.image) == ["nexus.example.com:8082/wordpress:5.4.0"])
}

@Test func nexusIgnoresUnknownFields() throws {
    let events = try decode(payload("""
        {"action": "CREATED", "initiator": "ci-bot/10.0.4.17", "extra": [1, 2], "component": {"format": "docker",
         "name": "acme/web", "version": "1.4.2", "group": null, "new": {"a": 1}}}
        """))
    #expect(events.map(\.image) == ["nexus.example.com:8082/acme/web:1.4.2"])
    #expect(events.map(\.actor) == ["ci-bot"])
}

@Test func nexusTruncatedJSONIsRefused() {
    #expect(decodeError(#"{"action": "CREATED", "component": {"#) == "invalid JSON at byte 36: expected a member name")
}

@Test func nexusErrorsNameThePath() {
    #expect(decodeError(#"{"component": {}}"#) == "action: is missing")
    #expect(decodeError(#"{"action": "CREATED", "component": {"name": "a"}}"#) == "component.format: is missing")
    #expect(decodeError(#"{"action": "CREATED", "component": {"format": "docker"}}"#) == "component.name: is missing")
    #expect(decodeError(#"{"action": "CREATED", "component": {"format": "docker", "name": "a", "version": 1}}"#)
        == "component.version: expected a string, found a number")
    #expect(decodeError(#"{"action": "CREATED", "asset": {"format": "docker", "name": false}}"#)
        == "asset.name: expected a string, found a boolean")
    #expect(decodeError(#"{"action": "CREATED", "initiator": 5, "component": {"format": "docker", "name": "a"}}"#)
        == "initiator: expected a string, found a number")
    #expect(decodeError(#"{"action": "CREATED"}"#) == "not a Nexus repository webhook: expected 'component' or 'asset'")
}

@Test func nexusUnknownActionsAndWebhooksAreRefused() {
    #expect(decodeError(#"{"action": "MOVED", "component": {}}"#) == "action: unsupported Nexus action 'MOVED'")
    #expect(decodeError(#"{"action": "CREATED"}"#, hook: "rm:global:audit")
        == "header X-Nexus-Webhook-ID: unsupported Nexus webhook 'rm:global:audit'")
}

@Test func nexusTimestampOffsetsBecomeRFC3339() {
    #expect(NexusDecoder.rfc3339("2026-11-22T10:05:00.412+0000") == "2026-11-22T10:05:00.412+00:00")
    #expect(NexusDecoder.rfc3339("2026-11-22T10:05:00.412-0530") == "2026-11-22T10:05:00.412-05:30")
    #expect(NexusDecoder.rfc3339("2026-11-22T10:05:00.412+00:00") == "2026-11-22T10:05:00.412+00:00")
    #expect(NexusDecoder.rfc3339("2026-11-22T10:05:00Z") == "2026-11-22T10:05:00Z")
}
