import Testing
@testable import Router

private let context = DecodeContext(sourceName: "quay", registry: "fallback.example.com")

private func decode(_ payload: Payload, _ context: DecodeContext = context) throws -> [Event] {
    try QuayDecoder().decode(payload, context: context)
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try QuayDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

@Test func quayRepoPushIsOnePushPerUpdatedTag() throws {
    let events = try decode(fixture("quay", "repo_push"))
    #expect(events == [
        Event(id: "", source: .quay, sourceName: "quay", type: .push, registry: "quay.io", namespace: "dgangaia",
              repository: "dgangaia/test", tag: "latest", digest: nil, mediaType: nil, artifact: nil, size: nil,
              actor: nil, occurredAt: nil, scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["quay.io/dgangaia/test:latest"])
}

@Test func quayVulnerabilityFoundIsAScanPerTagCountingOneFinding() throws {
    let events = try decode(fixture("quay", "vulnerability_found"))
    let scan = Scan(severity: .high, counts: [.high: 1], fixable: 1, scanner: nil)
    #expect(events == ["1.4.2", "latest"].map {
        Event(id: "", source: .quay, sourceName: "quay", type: .scanCompleted, registry: "quay.io", namespace: "acme",
              repository: "acme/web", tag: $0, digest: nil, mediaType: nil, artifact: nil, size: nil, actor: nil,
              occurredAt: nil, scan: scan, callbackURL: nil)
    })
    #expect(events.map(\.image) == ["quay.io/acme/web:1.4.2", "quay.io/acme/web:latest"])
}

@Test func quayTestNotificationDecodesLikeARealFinding() throws {
    let events = try decode(fixture("quay", "vulnerability_found-test-notification"))
    let scan = Scan(severity: .critical, counts: [.critical: 1], fixable: nil, scanner: nil)
    #expect(events == ["latest", "prod", "foo", "bar", "baz"].map {
        Event(id: "", source: .quay, sourceName: "quay", type: .scanCompleted, registry: "quay.io", namespace: "acme",
              repository: "acme/web", tag: $0, digest: nil, mediaType: nil, artifact: nil, size: nil, actor: nil,
              occurredAt: nil, scan: scan, callbackURL: nil)
    })
    #expect(events.first?.image == "quay.io/acme/web:latest")
}

@Test func quayStableIDsDifferPerTag() throws {
    let events = try decode(fixture("quay", "vulnerability_found")).map { $0.withStableID() }
    #expect(Set(events.map(\.id)).count == 2)
    #expect(events.allSatisfy { $0.id.count == 32 })
}

@Test func quayUntaggedManifestIsNamedByDigest() throws {
    let digest = "sha256:" + String(repeating: "ab", count: 32)
    let events = try decode(payload("""
        {"repository": "acme/web", "namespace": "acme", "docker_url": "quay.example.com:8443/acme/web",
         "tags": ["\(digest)"], "vulnerability": {"priority": "Defcon1"}}
        """))
    #expect(events.count == 1)
    #expect(events.first?.tag == nil)
    #expect(events.first?.digest == digest)
    #expect(events.first?.registry == "quay.example.com:8443")
    #expect(events.first?.scan == Scan(severity: .critical, counts: [.critical: 1]))
    #expect(events.first?.image == "quay.example.com:8443/acme/web@\(digest)")
}

@Test func quayVendorPriorityIsUnknown() throws {
    let events = try decode(payload(#"{"repository": "acme/web", "tags": [], "vulnerability": {"priority": "Important"}}"#))
    #expect(events.first?.scan == Scan(severity: .unknown, counts: [.unknown: 1]))
    #expect(events.first?.tag == nil)
}

@Test func quayLegacyVulnerabilityListCountsEveryFinding() throws {
    let events = try decode(payload("""
        {"repository": "acme/web", "tags": ["1"], "vulnerabilities": [
          {"priority": "Low", "has_fix": false}, {"priority": "High", "has_fix": true}, {"priority": "Low"}]}
        """))
    #expect(events.first?.scan == Scan(severity: .high, counts: [.low: 2, .high: 1], fixable: 1))
}

@Test func quayRegistryFallsBackToHomepageThenSource() throws {
    let homepage = try decode(payload(#"{"repository": "a/b", "homepage": "https://quay.internal/repository/a/b", "updated_tags": ["1"]}"#))
    #expect(homepage.first?.registry == "quay.internal")
    let neither = try decode(payload(#"{"repository": "a/b", "updated_tags": ["1"]}"#))
    #expect(neither.first?.registry == "fallback.example.com")
    #expect(neither.first?.namespace == "a")
    let none = try decode(payload(#"{"repository": "a/b", "updated_tags": ["1"]}"#), DecodeContext(sourceName: "quay"))
    #expect(none.first?.registry == nil)
    #expect(none.first?.image == "a/b:1")
}

@Test func quayPushWithNoUpdatedTagsYieldsNothing() throws {
    #expect(try decode(payload(#"{"repository": "a/b", "updated_tags": []}"#)).isEmpty)
}

@Test func quayIgnoresUnknownFields() throws {
    let events = try decode(payload("""
        {"repository": "dgangaia/test", "namespace": "dgangaia", "docker_url": "quay.io/dgangaia/test",
         "updated_tags": ["latest"], "pruned_image_count": 3, "extra": {"nested": [1, 2]}}
        """))
    #expect(events == (try decode(fixture("quay", "repo_push"))))
}

@Test func quayTruncatedJSONIsRefused() {
    #expect(decodeError(#"{"repository": "a/b", "updated_tags": ["#) == "invalid JSON at byte 39: unexpected end of input")
}

@Test func quayErrorsNameThePath() {
    #expect(decodeError(#"{"repository": "a/b", "updated_tags": ["1", 2]}"#) == "updated_tags[1]: expected a string, found a number")
    #expect(decodeError(#"{"repository": "a/b", "updated_tags": "latest"}"#) == "updated_tags: expected an array, found a string")
    #expect(decodeError(#"{"updated_tags": ["1"]}"#) == "repository: is missing")
    #expect(decodeError(#"{"repository": 7, "updated_tags": ["1"]}"#) == "repository: expected a string, found a number")
    #expect(decodeError(#"{"repository": "a/b", "vulnerability": {"id": "CVE-1"}}"#) == "vulnerability.priority: is missing")
    #expect(decodeError(#"{"repository": "a/b", "vulnerability": {"priority": "High", "has_fix": "yes"}}"#)
        == "vulnerability.has_fix: expected a boolean, found a string")
    #expect(decodeError("[]") == "expected an object, found an array")
}

@Test func quayUnrecognisedShapesAreRefused() {
    #expect(decodeError(#"{"repository": "a/b", "build_id": "b-1", "image_id": "x"}"#)
        == "build_id: unsupported Quay notification: build events are not routed")
    #expect(decodeError(#"{"repository": "a/b", "message": "mirror sync done"}"#)
        == "unrecognised Quay notification: expected 'updated_tags' (repo_push) or 'vulnerability' (vulnerability_found)")
}
