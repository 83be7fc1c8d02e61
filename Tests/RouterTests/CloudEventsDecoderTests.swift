import Testing
@testable import Router

private let context = DecodeContext(sourceName: "ce", registry: "fallback.example.com")
private let busybox = "sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c"

private func decode(_ payload: Payload) throws -> [Event] {
    try CloudEventsDecoder().decode(payload, context: context)
}

private func decodeError(_ payload: Payload) -> String? {
    do throws(DecodeError) {
        _ = try CloudEventsDecoder().decode(payload, context: context)
        return nil
    } catch {
        return error.description
    }
}

private let structured = [("Content-Type", "application/cloudevents+json")]

/// A fixture with its body text edited, headers kept.
private func edited(_ dir: String, _ name: String, _ edits: [(String, String)]) throws -> Payload {
    var payload = try fixture(dir, name)
    var text = String(decoding: payload.body, as: UTF8.self)
    for (old, new) in edits { text = text.replacingOccurrences(of: old, with: new) }
    payload.body = Array(text.utf8)
    return payload
}

/// CloudEvents in structured, batch and binary mode, with Harbor-shaped and generic data.
struct CloudEventsDecoderTests {
    @Test func structuredSpecExampleHasAnUnmappedType() throws {
        #expect(decodeError(try fixture("cloudevents", "structured")) == "type: unknown CloudEvents type 'com.example.someevent'")
    }

    @Test func binarySpecExampleHasAnUnmappedType() throws {
        #expect(decodeError(try fixture("cloudevents", "binary")) == "type: unknown CloudEvents type 'com.example.someevent'")
    }

    @Test func batchSpecExampleNamesTheFailingMember() throws {
        #expect(decodeError(try fixture("cloudevents", "batch")) == "[0].type: unknown CloudEvents type 'com.example.someevent'")
    }

    @Test func structuredSpecExampleWithAPushTypeReadsTheDataImage() throws {
        let payload = try edited("cloudevents", "structured", [
            ("com.example.someevent", "com.example.image.pushed"),
            (#""appinfoA": "abc""#, #""image": "registry.example.com/shop/web:1.4.2@sha256:abc""#),
        ])
        #expect(try decode(payload) == [
            Event(id: "C234-1234-1234", source: .cloudevents, sourceName: "ce", type: .push,
                  registry: "registry.example.com", namespace: "shop", repository: "shop/web", tag: "1.4.2",
                  digest: "sha256:abc", mediaType: nil, artifact: nil, size: nil, actor: nil,
                  occurredAt: "2018-04-05T17:31:00Z", scan: nil, callbackURL: nil),
        ])
    }

    @Test func binarySpecExampleReadsAttributesFromPercentEncodedHeaders() throws {
        var payload = try fixture("cloudevents", "binary")
        payload.headers = payload.headers.map { header in
            header.name == "ce-type" ? (header.name, "com.example.image.deleted") : header
        } + [("ce-subject", "registry.example.com%2Fshop%2Fweb%3A1.4.2"), ("ce-operator", "ci%20bot")]
        #expect(try decode(payload) == [
            Event(id: "C234-1234-1234", source: .cloudevents, sourceName: "ce", type: .delete,
                  registry: "registry.example.com", namespace: "shop", repository: "shop/web", tag: "1.4.2",
                  digest: nil, mediaType: nil, artifact: nil, size: nil, actor: "ci bot",
                  occurredAt: "2018-04-05T17:31:00Z", scan: nil, callbackURL: nil),
        ])
    }

    @Test func batchSpecExampleWithMappedTypesGivesOneEventPerMember() throws {
        let payload = try edited("cloudevents", "batch", [
            ("com.example.someevent", "push"), ("com.example.someotherevent", "com.example.scan.completed"),
            (#""source": "/mycontext/4","#, #""source": "/mycontext/4", "subject": "shop/api:2","#),
            (#""appinfoA": "abc""#, #""repository": "shop/web", "tag": "1", "mediaType": "application/vnd.oci.image.index.v1+json""#),
            (#""appinfoB": 123"#, #""size": 123, "actor": "scanner""#),
        ])
        #expect(try decode(payload) == [
            Event(id: "B234-1234-1234", source: .cloudevents, sourceName: "ce", type: .push,
                  registry: "fallback.example.com", namespace: "shop", repository: "shop/api", tag: "2", digest: nil,
                  mediaType: nil, artifact: nil, size: nil, actor: nil, occurredAt: "2018-04-05T17:31:00Z", scan: nil,
                  callbackURL: nil),
            Event(id: "C234-1234-1234", source: .cloudevents, sourceName: "ce", type: .scanCompleted,
                  registry: "fallback.example.com", namespace: "shop", repository: "shop/web", tag: "1", digest: nil,
                  mediaType: "application/vnd.oci.image.index.v1+json", artifact: .index, size: 123, actor: "scanner",
                  occurredAt: "2018-04-05T17:31:05Z", scan: nil, callbackURL: nil),
        ])
    }

    @Test func harborCloudEventsDecodeAsCloudEventsSource() throws {
        #expect(try decode(fixture("harbor", "cloudevents-push-artifact")) == [
            Event(id: "4b2f89a6-548d-4c12-9993-a1f5790b97d2", source: .cloudevents, sourceName: "ce", type: .push,
                  registry: "harbor.dev", namespace: "library", repository: "library/busybox", tag: "v1.0",
                  digest: busybox, mediaType: nil, artifact: nil, size: nil, actor: "admin",
                  occurredAt: "2023-03-06T06:08:43Z", scan: nil, callbackURL: nil),
        ])
        let scans = try decode(fixture("harbor", "cloudevents-scanning-completed"))
        #expect(scans.map(\.type) == [.scanCompleted])
        #expect(scans.map(\.scan) == [Scan(severity: .medium, counts: [.medium: 1, .low: 2], fixable: 1, scanner: "Trivy")])
    }

    @Test func cdEventsSubjectPurlNamesTheImageWithoutCustomData() throws {
        let payload = try edited("harbor", "cdevents-push-artifact", [(#""customData""#, #""ignoredData""#)])
        #expect(try decode(payload) == [
            Event(id: "2d47734c-83e2-41dc-bcbf-23bd2a3734a2", source: .cloudevents, sourceName: "ce", type: .push,
                  registry: "harbor.dev", namespace: "library", repository: "library/busybox", tag: "v1.0",
                  digest: busybox, mediaType: nil, artifact: nil, size: nil, actor: "admin",
                  occurredAt: "2023-03-06T06:08:43Z", scan: nil, callbackURL: nil),
        ])
    }

    @Test func typesMapByCanonicalNameHarborNameAndWords() throws {
        let cases: [(String, EventType)] = [
            ("scan_completed", .scanCompleted), ("tag_retention", .tagRetention), ("harbor.quota.warned", .quotaWarning),
            ("harbor.replication.status.changed", .replication), ("dev.cdevents.artifact.published.0.2.0", .push),
            ("Microsoft.ContainerRegistry.ImagePushed", .push), ("Microsoft.ContainerRegistry.ChartDeleted", .chartDelete),
            ("io.example.registry.image.pulled", .pull), ("io.example.image.scan.completed", .scanCompleted),
            ("io.example.image.scan.failed", .scanFailed),
        ]
        for (name, type) in cases {
            #expect(try CloudEventsDecoder.eventType(name, path: "type") == type, "\(name)")
        }
    }

    @Test func unknownFieldsAndExtensionsAreIgnored() throws {
        let body = """
        {"specversion": "1.0", "id": "x", "type": "pull", "source": "/s", "myext": {"deep": [1]},
         "data": {"repository": "reg.example.com:5000/web", "digest": "sha256:1", "other": null}}
        """
        let events = try decode(payload(body, headers: structured))
        #expect(events.map(\.image) == ["reg.example.com:5000/web@sha256:1"])
        #expect(events.map(\.namespace) == [nil])
    }

    @Test func malformedPayloadsNameThePathAndProblem() {
        #expect(decodeError(payload(#"{"specversion": "1.0", "type": "#, headers: structured))
            == "invalid JSON at byte 31: unexpected end of input")
        #expect(decodeError(payload(#"{"type": "push", "data": {"repository": "a"}}"#, headers: structured))
            == "specversion: is missing")
        #expect(decodeError(payload(#"{"specversion": "1.0", "data": {"repository": "a"}}"#, headers: structured))
            == "type: is missing")
        #expect(decodeError(payload(#"{"specversion": "1.0", "type": 5}"#, headers: structured))
            == "type: expected a string, found a number")
        #expect(decodeError(payload(#"{"specversion": "1.0", "type": "push", "data": {"tag": "1"}}"#, headers: structured))
            == "data: names no image: expected repository or image, or a subject attribute")
        #expect(decodeError(payload(#"{"specversion": "1.0", "type": "push", "data": {"repository": 5}}"#, headers: structured))
            == "data.repository: expected a string, found a number")
        #expect(decodeError(payload(#"[{"specversion": "1.0", "type": "push", "data": {"image": "a"}}, {"specversion": "1.0"}]"#))
            == "[1].type: is missing")
        #expect(decodeError(payload(#"{"repository": "a"}"#, headers: [("ce-specversion", "1.0")]))
            == "type: is missing (no ce-type header)")
        #expect(decodeError(payload(#"{"repository": ["a"]}"#, headers: [("ce-specversion", "1.0"), ("ce-type", "push")]))
            == "data.repository: expected a string, found an array")
        #expect(decodeError(payload("{", headers: [("ce-specversion", "1.0"), ("ce-type", "push")]))
            == "invalid JSON at byte 1: expected a member name")
    }
}
