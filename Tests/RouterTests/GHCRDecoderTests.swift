import Testing
@testable import Router

private let context = DecodeContext(sourceName: "github", registry: "ignored.example.com")
private let digest = "sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498"
private let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"

private func decode(_ payload: Payload) throws -> [Event] {
    try GHCRDecoder().decode(payload, context: context)
}

private func packageEvent(_ json: String, event: String = "package") -> Payload {
    payload(json, headers: [("X-GitHub-Event", event), ("X-GitHub-Delivery", "d-1")])
}

private func decodeError(_ json: String, event: String = "package") -> String? {
    do throws(DecodeError) {
        _ = try GHCRDecoder().decode(packageEvent(json, event: event), context: context)
        return nil
    } catch {
        return error.description
    }
}

/// A minimal container `package` body; `version` is spliced into `package_version`.
private func body(action: String = "published", type: String = "CONTAINER", version: String) -> String {
    """
    {"action": "\(action)", "package": {"name": "web", "package_type": "\(type)", "owner": {"login": "Acme"},
     "package_version": {\(version)}}, "sender": {"login": "ci"}}
    """
}

@Test func ghcrPackagePublishedIsATaggedPush() throws {
    let events = try decode(fixture("ghcr", "package-published"))
    #expect(events == [
        Event(id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", source: .ghcr, sourceName: "github", type: .push,
              registry: "ghcr.io", namespace: "codertocat", repository: "codertocat/hello-world", tag: "nightly",
              digest: digest, mediaType: dockerManifest, artifact: .image, size: 1782, actor: "Codertocat",
              occurredAt: "2019-05-09T23:28:29Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["ghcr.io/codertocat/hello-world:nightly"])
}

@Test func ghcrRegistryPackagePublishedWithEmptyTagIsUntagged() throws {
    let events = try decode(fixture("ghcr", "registry_package-published"))
    #expect(events == [
        Event(id: "0b9a7e40-8f3c-11ee-8a1e-2d5f1c7b9e44", source: .ghcr, sourceName: "github", type: .push,
              registry: "ghcr.io", namespace: "codertocat", repository: "codertocat/hello-world", tag: nil,
              digest: digest, mediaType: dockerManifest, artifact: .image, size: 1782, actor: "github-actions[bot]",
              occurredAt: "2019-05-09T23:28:29Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["ghcr.io/codertocat/hello-world@\(digest)"])
}

@Test func ghcrPingYieldsNoEvents() throws {
    let ping = payload(#"{"zen": "Keep it logically awesome.", "hook_id": 1}"#, headers: [("X-GitHub-Event", "ping")])
    #expect(try decode(ping).isEmpty)
}

@Test func ghcrNonContainerPackagesYieldNoEvents() throws {
    #expect(try decode(packageEvent(body(type: "npm", version: #""version": "1.0.0""#))).isEmpty)
    #expect(try decode(packageEvent(#"{"action": "published", "package": {"ecosystem": "maven", "package_version": {}}}"#)).isEmpty)
    #expect(try decode(packageEvent(body(action: "deleted", type: "rubygems", version: ""))).isEmpty)
}

@Test func ghcrUpdatedIsAPushAndTagListsGiveOneEventEach() throws {
    let events = try decode(packageEvent(body(action: "updated", version: """
        "version": "\(digest)", "container_metadata": {"tag": {"name": "1.0", "digest": ""}, "tags": ["1.0", "latest"]}
        """)))
    #expect(events.map(\.tag) == ["1.0", "latest"])
    #expect(events.map(\.id) == ["d-1-0", "d-1-1"])
    #expect(events.allSatisfy { $0.type == .push && $0.digest == digest && $0.repository == "acme/web" && $0.actor == "ci" })
    #expect(events.allSatisfy { $0.registry == "ghcr.io" && $0.occurredAt == nil && $0.mediaType == nil && $0.size == nil })
}

@Test func ghcrReadsTheRESTShapedTagList() throws {
    let events = try decode(packageEvent(body(version: #""metadata": {"container": {"tags": ["a", "b"]}}"#)))
    #expect(events.map(\.tag) == ["a", "b"])
    #expect(events.first?.digest == nil)
}

@Test func ghcrWithoutEventHeaderUsesThePackageKey() throws {
    let events = try GHCRDecoder().decode(payload(body(version: #""package_url": "ghcr.io/Acme/Web:v2""#)), context: context)
    #expect(events.map(\.repository) == ["acme/web"])
    #expect(events.map(\.id) == [""])
    #expect(events.map(\.tag) == [nil])
}

@Test func ghcrDecodesFormEncodedDeliveries() throws {
    let json = body(version: #""container_metadata": {"tag": {"name": "v1+x"}}"#)
    var encoded = "payload="
    for byte in json.utf8 {
        let c = Character(Unicode.Scalar(byte))
        encoded += c.isLetter || c.isNumber ? String(c) : "%" + String(byte, radix: 16, uppercase: true).leftPadded
    }
    let form = Payload(body: Array(encoded.utf8), headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-GitHub-Event", "package")])
    #expect(try decode(form).map(\.tag) == ["v1+x"])
    let broken = Payload(body: Array("payload=%7".utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")])
    #expect(throws: DecodeError(path: "", "form field 'payload' is not valid percent-encoding")) { try decode(broken) }
}

@Test func ghcrIgnoresUnknownFields() throws {
    let events = try decode(packageEvent(body(version: #""future": {"x": [1]}, "container_metadata": {"tag": {"name": "1"}, "extra": true}"#)))
    #expect(events.map(\.image) == ["ghcr.io/acme/web:1"])
}

@Test func ghcrTruncatedJSONIsRefused() {
    #expect(decodeError(#"{"action": "published", "package": {"#) == "invalid JSON at byte 36: expected a member name")
}

@Test func ghcrErrorsNameThePath() {
    #expect(decodeError(#"{"package": {"package_type": "CONTAINER"}}"#) == "action: is missing")
    #expect(decodeError(#"{"action": "published"}"#) == "package: is missing")
    #expect(decodeError(#"{"action": "published", "package": {"package_type": "CONTAINER"}}"#) == "package.package_version: is missing")
    #expect(decodeError(body(version: #""container_metadata": {"tag": {"name": 5}}"#))
        == "package.package_version.container_metadata.tag.name: expected a string, found a number")
    #expect(decodeError(body(version: #""container_metadata": {"tags": ["a", null]}"#))
        == "package.package_version.container_metadata.tags[1]: expected a string, found null")
    #expect(decodeError(#"{"action": "published", "package": {"package_type": "CONTAINER", "name": "web", "package_version": {}}}"#)
        == "package.owner: is missing")
    #expect(decodeError(body(version: #""container_metadata": {"manifest": {"size": "big"}}"#))
        == "package.package_version.container_metadata.manifest.size: expected a whole number, found a string")
}

@Test func ghcrUnknownActionsAndEventsAreRefused() {
    #expect(decodeError(body(action: "deleted", version: "")) == "action: unsupported GitHub package action 'deleted'")
    #expect(decodeError(body(version: ""), event: "push") == "header X-GitHub-Event: unsupported GitHub event 'push'")
    #expect(throws: DecodeError(path: "", "not a GitHub package event: no X-GitHub-Event header and no 'package' or 'registry_package'")) {
        try GHCRDecoder().decode(payload(#"{"action": "published"}"#), context: context)
    }
}

private extension String {
    var leftPadded: String { count == 1 ? "0" + self : self }
}
