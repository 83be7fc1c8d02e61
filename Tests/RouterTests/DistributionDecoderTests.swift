import Foundation
import Testing
@testable import Router

private let context = DecodeContext(sourceName: "registry", registry: "fallback.example.com")
private let octetStream = "application/octet-stream"
private let ociManifest = "application/vnd.oci.image.manifest.v1+json"

private func decode(_ name: String, includeBlobs: Bool = false) throws -> [Event] {
    var context = context
    context.includeBlobs = includeBlobs
    return try DistributionDecoder().decode(fixture("distribution-captured", name), context: context)
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try DistributionDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

/// One captured request: its single envelope entry, as the canonical event it must become.
struct DistributionRow: Sendable, CustomTestStringConvertible {
    let name: String
    let event: Event
    let blob: Bool
    var testDescription: String { name }
}

private func capturedRow(_ name: String, id: String, _ type: EventType, blob: Bool, repository: String, tag: String?,
                 digest: String?, mediaType: String?, size: Int64?, at occurredAt: String) -> DistributionRow {
    let artifact: ArtifactKind? = switch mediaType {
    case octetStream: .other
    case ociManifest: .image
    default: nil
    }
    return DistributionRow(name: name, event: Event(
        id: id, source: .distribution, sourceName: "registry", type: type, registry: "127.0.0.1:5000",
        namespace: String(repository.prefix { $0 != "/" }), repository: repository, tag: tag, digest: digest,
        mediaType: mediaType, artifact: artifact, size: size, actor: nil, occurredAt: occurredAt, scan: nil,
        callbackURL: nil), blob: blob)
}

/// Every captured request (the main sequence, mount-and-references and retry-503), field by field.
private let rows: [DistributionRow] = [
    capturedRow("01-push-blob", id: "2f5a84c3-9d82-4df5-b93a-c1ccfd199103", .push, blob: true, repository: "team/app", tag: nil, digest: "sha256:96d5d1eadc1eb4a6505fdc56c02b1b82ba8d74a6dc580ebdd4a1d5d2099c70f6",
        mediaType: octetStream, size: 147, at: "2026-11-22T15:24:31.746889984Z"),
    capturedRow("02-push-blob", id: "8079fd8d-39cf-47df-ad05-e43addd05552", .push, blob: true, repository: "team/app", tag: nil, digest: "sha256:422919c47ce864df0cedbb3131f81b6bbd37ed3743912f5c735b39456e7b46c4",
        mediaType: octetStream, size: 292, at: "2026-11-22T15:24:31.791095389Z"),
    capturedRow("03-push-manifest", id: "f184491d-051c-4e6f-80f4-4fd27dfb8492", .push, blob: false, repository: "team/app", tag: "1.0", digest: "sha256:5b2d4841683435f1e08c552725da74568a7bc814950e70288f3883f2e95fc263",
        mediaType: ociManifest, size: 345, at: "2026-11-22T15:24:31.799824131Z"),
    capturedRow("04-pull-blob", id: "a16d3541-f632-418d-8989-ed4d6676d409", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:96d5d1eadc1eb4a6505fdc56c02b1b82ba8d74a6dc580ebdd4a1d5d2099c70f6",
        mediaType: octetStream, size: 147, at: "2026-11-22T15:24:31.862558899Z"),
    capturedRow("05-pull-blob", id: "f1af8620-1a94-4129-a6ec-e21cf6d81166", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:422919c47ce864df0cedbb3131f81b6bbd37ed3743912f5c735b39456e7b46c4",
        mediaType: octetStream, size: 292, at: "2026-11-22T15:24:31.87159693Z"),
    capturedRow("06-push-manifest", id: "2b0db30b-0c02-4ac6-9557-914d8b43a729", .push, blob: false, repository: "team/app", tag: "1.1", digest: "sha256:5b2d4841683435f1e08c552725da74568a7bc814950e70288f3883f2e95fc263",
        mediaType: ociManifest, size: 345, at: "2026-11-22T15:24:31.876455959Z"),
    capturedRow("07-pull-manifest", id: "c786d9f6-340f-4045-b61b-32ec7415d792", .pull, blob: false, repository: "team/app", tag: "1.0", digest: "sha256:5b2d4841683435f1e08c552725da74568a7bc814950e70288f3883f2e95fc263",
        mediaType: ociManifest, size: 345, at: "2026-11-22T15:24:39.126400133Z"),
    capturedRow("08-pull-blob", id: "ea764a3b-e74b-46c8-a57e-9a9000cef247", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:422919c47ce864df0cedbb3131f81b6bbd37ed3743912f5c735b39456e7b46c4",
        mediaType: octetStream, size: 292, at: "2026-11-22T15:24:39.147455159Z"),
    capturedRow("09-pull-manifest", id: "c2659951-613a-4acc-a738-f7c053ef2ee7", .pull, blob: false, repository: "team/app", tag: "1.0", digest: "sha256:5b2d4841683435f1e08c552725da74568a7bc814950e70288f3883f2e95fc263",
        mediaType: ociManifest, size: 345, at: "2026-11-22T15:24:39.179625332Z"),
    capturedRow("10-pull-blob", id: "5c11bb27-696d-44eb-8b1b-88e135aae38b", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:422919c47ce864df0cedbb3131f81b6bbd37ed3743912f5c735b39456e7b46c4",
        mediaType: octetStream, size: 292, at: "2026-11-22T15:24:39.181152795Z"),
    capturedRow("11-delete", id: "ac55a9a0-87a6-4cdb-a04c-bf233086f16c", .delete, blob: false, repository: "team/app", tag: nil, digest: "sha256:5b2d4841683435f1e08c552725da74568a7bc814950e70288f3883f2e95fc263",
        mediaType: nil, size: nil, at: "2026-11-22T15:24:39.21839311Z"),
    capturedRow("12-delete-manifest", id: "a28a3b25-05ec-4ba0-a45c-98f2d7b753d3", .delete, blob: false, repository: "team/app", tag: "1.1", digest: nil,
        mediaType: nil, size: nil, at: "2026-11-22T15:24:39.220287477Z"),
    capturedRow("13-delete-manifest", id: "90af1a4e-ff87-46c4-9b49-94b914b70b38", .delete, blob: false, repository: "team/app", tag: "1.0", digest: nil,
        mediaType: nil, size: nil, at: "2026-11-22T15:24:39.221516858Z"),
    capturedRow("mount-and-references/01-pull-blob", id: "a0b28c69-6eee-4eda-b874-5b7dd1347f1a", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:eaf209d57cf22e66d489a5251d09dd5017d91e2cc3226e29beaa6795716bca38",
        mediaType: octetStream, size: 147, at: "2026-11-22T16:03:50.567352054Z"),
    capturedRow("mount-and-references/02-mount-blob", id: "85115053-6d5b-4b6f-92c8-3df0ee4fac3f", .push, blob: true, repository: "other/app", tag: nil, digest: "sha256:eaf209d57cf22e66d489a5251d09dd5017d91e2cc3226e29beaa6795716bca38",
        mediaType: octetStream, size: 147, at: "2026-11-22T16:03:50.572460773Z"),
    capturedRow("mount-and-references/03-push-blob", id: "d190d29d-eeb1-4de6-b5ff-416cb4139d56", .push, blob: true, repository: "other/app", tag: nil, digest: "sha256:f144f714ccb8cbe9a1c801e3c406c4941d55c6a03d51b130828034a893d6df64",
        mediaType: octetStream, size: 418, at: "2026-11-22T16:03:50.625547917Z"),
    capturedRow("mount-and-references/04-push-manifest", id: "1a62befe-2d81-4c17-861d-3261d902d4c4", .push, blob: false, repository: "other/app", tag: "2.0", digest: "sha256:132db19a2343cf9b3441abe07595f3e06c6624a53566930af6295a06cb947495",
        mediaType: ociManifest, size: 345, at: "2026-11-22T16:03:50.635814137Z"),
    capturedRow("mount-and-references/05-pull-blob", id: "74b27c1e-9a35-4f9b-9002-bc81bb65640a", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:1d35905b8b63600959459e2fd29553b3aea58e3552d9d3d68a5186c23dbb83fd",
        mediaType: octetStream, size: 146, at: "2026-11-22T16:04:06.413465309Z"),
    capturedRow("mount-and-references/06-mount-blob", id: "14fc5568-2cf6-492a-897f-66790da2638c", .push, blob: true, repository: "other/app", tag: nil, digest: "sha256:1d35905b8b63600959459e2fd29553b3aea58e3552d9d3d68a5186c23dbb83fd",
        mediaType: octetStream, size: 146, at: "2026-11-22T16:04:06.420655142Z"),
    capturedRow("mount-and-references/07-push-blob", id: "2b43c321-bfd1-436c-8405-57f150b1744c", .push, blob: true, repository: "other/app", tag: nil, digest: "sha256:b0780a66d2bd0e2f931e7ebdbdc7b686ad96f8d2fe439bb453d8b261f0dbd117",
        mediaType: octetStream, size: 419, at: "2026-11-22T16:04:06.475292933Z"),
    capturedRow("mount-and-references/08-push-manifest", id: "ab50a5d9-5f84-43dd-9a35-16a7f9591be2", .push, blob: false, repository: "other/app", tag: "1.0", digest: "sha256:31ec326a28bf49618e7999a8353131daf7e3b90acc8da5a2917f8cf3c25b0261",
        mediaType: ociManifest, size: 345, at: "2026-11-22T16:04:06.482500351Z"),
    capturedRow("retry-503/01-pull-blob", id: "1be9a78d-bb3f-4c9e-90c0-1c09ec509fdf", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:eaf209d57cf22e66d489a5251d09dd5017d91e2cc3226e29beaa6795716bca38",
        mediaType: octetStream, size: 147, at: "2026-11-22T15:53:48.381603971Z"),
    capturedRow("retry-503/02-pull-blob", id: "1be9a78d-bb3f-4c9e-90c0-1c09ec509fdf", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:eaf209d57cf22e66d489a5251d09dd5017d91e2cc3226e29beaa6795716bca38",
        mediaType: octetStream, size: 147, at: "2026-11-22T15:53:48.381603971Z"),
    capturedRow("retry-503/03-pull-blob", id: "1be9a78d-bb3f-4c9e-90c0-1c09ec509fdf", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:eaf209d57cf22e66d489a5251d09dd5017d91e2cc3226e29beaa6795716bca38",
        mediaType: octetStream, size: 147, at: "2026-11-22T15:53:48.381603971Z"),
    capturedRow("retry-503/04-pull-blob", id: "1be9a78d-bb3f-4c9e-90c0-1c09ec509fdf", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:eaf209d57cf22e66d489a5251d09dd5017d91e2cc3226e29beaa6795716bca38",
        mediaType: octetStream, size: 147, at: "2026-11-22T15:53:48.381603971Z"),
    capturedRow("retry-503/05-pull-blob", id: "1be9a78d-bb3f-4c9e-90c0-1c09ec509fdf", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:eaf209d57cf22e66d489a5251d09dd5017d91e2cc3226e29beaa6795716bca38",
        mediaType: octetStream, size: 147, at: "2026-11-22T15:53:48.381603971Z"),
    capturedRow("retry-503/06-pull-blob", id: "416b7a4d-3641-4da6-99c3-dd4358ca6abc", .pull, blob: true, repository: "team/app", tag: nil, digest: "sha256:f144f714ccb8cbe9a1c801e3c406c4941d55c6a03d51b130828034a893d6df64",
        mediaType: octetStream, size: 418, at: "2026-11-22T15:53:48.388200864Z"),
    capturedRow("retry-503/07-push-manifest", id: "5337c038-4d9a-4191-bc01-334b8f6f8637", .push, blob: false, repository: "team/app", tag: "2.1", digest: "sha256:132db19a2343cf9b3441abe07595f3e06c6624a53566930af6295a06cb947495",
        mediaType: ociManifest, size: 345, at: "2026-11-22T15:53:48.391723273Z"),
]

/// CNCF Distribution notifications, from the captured registry:2 traffic.
struct DistributionDecoderTests {
    @Test func everyCapturedDistributionFixtureHasARow() throws {
        let root = fixturesDirectory.appendingPathComponent("distribution-captured")
        var names: [String] = []
        for sub in ["", "mount-and-references/", "retry-503/"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(sub).path)
            names += files.filter { $0.hasSuffix(".json") }.map { sub + $0.dropLast(5) }
        }
        #expect(Set(names) == Set(rows.map(\.name)))
    }

    @Test(arguments: rows)
    func fixtureDecodesToItsCanonicalEvent(_ row: DistributionRow) throws {
        #expect(try decode(row.name, includeBlobs: true) == [row.event])
    }

    @Test(arguments: rows)
    func blobEventsAreDroppedByDefault(_ row: DistributionRow) throws {
        #expect(try decode(row.name) == (row.blob ? [] : [row.event]))
    }

    @Test func manifestPushNamesItsImage() throws {
        let events = try decode("03-push-manifest")
        #expect(events.map(\.image) == ["127.0.0.1:5000/team/app:1.0"])
        #expect(events.first?.namespace == "team")
    }

    @Test func deleteByDigestIsFollowedByOneDeletePerTag() throws {
        let events = try ["11-delete", "12-delete-manifest", "13-delete-manifest"].flatMap { try decode($0) }
        #expect(events.map(\.type) == [.delete, .delete, .delete])
        #expect(events.map(\.image) == [
            "127.0.0.1:5000/team/app@sha256:5b2d4841683435f1e08c552725da74568a7bc814950e70288f3883f2e95fc263",
            "127.0.0.1:5000/team/app:1.1", "127.0.0.1:5000/team/app:1.0",
        ])
    }

    @Test func mountIsABlobPushKeptOnlyWithIncludeBlobs() throws {
        #expect(try decode("mount-and-references/02-mount-blob").isEmpty)
        let kept = try decode("mount-and-references/02-mount-blob", includeBlobs: true)
        #expect(kept.map(\.type) == [.push])
        #expect(kept.map(\.repository) == ["other/app"])
    }

    @Test func mountAndReferencesSequenceYieldsOnlyTheManifestPushes() throws {
        let names = rows.map(\.name).filter { $0.hasPrefix("mount-and-references/") }
        let events = try names.flatMap { try decode($0) }
        #expect(events.map(\.image) == ["127.0.0.1:5000/other/app:2.0", "127.0.0.1:5000/other/app:1.0"])
    }

    @Test func retriedRequestsDecodeToIdenticalEvents() throws {
        let retried = try (1...5).map { try decode("retry-503/0\($0)-pull-blob", includeBlobs: true) }
        #expect(Set(retried).count == 1)
        #expect(retried.first?.first?.id == "1be9a78d-bb3f-4c9e-90c0-1c09ec509fdf")
        #expect(try decode("retry-503/07-push-manifest").map(\.image) == ["127.0.0.1:5000/team/app:2.1"])
    }

    @Test func envelopeWithSeveralEntriesGivesOneEventEach() throws {
        let json = """
        {"events": [
          {"id": "a", "action": "push", "timestamp": "2026-01-01T00:00:00Z", "actor": {"name": "ci"},
           "target": {"mediaType": "\(ociManifest)", "repository": "shop/web", "tag": "1", "digest": "sha256:1",
                      "length": 10, "url": "https://reg.example.com/v2/shop/web/manifests/sha256:1"}},
          {"id": "b", "action": "pull", "target": {"repository": "shop/web", "tag": "2",
           "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json"}, "request": {"host": ""}}
        ]}
        """
        let events = try DistributionDecoder().decode(payload(json), context: context)
        #expect(events == [
            Event(id: "a", source: .distribution, sourceName: "registry", type: .push, registry: "reg.example.com",
                  namespace: "shop", repository: "shop/web", tag: "1", digest: "sha256:1", mediaType: ociManifest,
                  artifact: .image, size: 10, actor: "ci", occurredAt: "2026-01-01T00:00:00Z", scan: nil, callbackURL: nil),
            Event(id: "b", source: .distribution, sourceName: "registry", type: .pull, registry: "fallback.example.com",
                  namespace: "shop", repository: "shop/web", tag: "2", digest: nil,
                  mediaType: "application/vnd.docker.distribution.manifest.list.v2+json", artifact: .index, size: nil,
                  actor: nil, occurredAt: nil, scan: nil, callbackURL: nil),
        ])
    }

    @Test func blobIsRecognisedByItsURLWhenTheMediaTypeIsMissing() throws {
        let json = """
        {"events": [{"id": "a", "action": "push", "target": {"repository": "shop/web", "digest": "sha256:1",
          "url": "http://reg:5000/v2/shop/web/blobs/sha256:1"}}]}
        """
        #expect(try DistributionDecoder().decode(payload(json), context: context).isEmpty)
    }

    @Test func ignoresUnknownFields() throws {
        let json = """
        {"events": [{"id": "a", "action": "pull", "future": [1, {"x": null}],
          "target": {"repository": "web", "tag": "1", "mediaType": "\(ociManifest)", "annotations": {"k": "v"}}}],
         "extra": true}
        """
        let events = try DistributionDecoder().decode(payload(json), context: context)
        #expect(events.map(\.image) == ["fallback.example.com/web:1"])
        #expect(events.first?.namespace == nil)
    }

    @Test func malformedPayloadsNameThePathAndProblem() {
        #expect(decodeError(#"{"events": ["#) == "invalid JSON at byte 12: unexpected end of input")
        #expect(decodeError(#"{"event": []}"#) == "events: is missing")
        #expect(decodeError(#"{"events": {}}"#) == "events: expected an array, found an object")
        #expect(decodeError(#"{"events": [{"action": "push"}]}"#) == "events[0].target: is missing")
        #expect(decodeError(#"{"events": [{"action": "pull", "target": {"tag": "1"}}]}"#)
            == "events[0].target.repository: is missing")
        #expect(decodeError(#"{"events": [{"action": "push", "target": {"repository": "a", "digest": 7}}]}"#)
            == "events[0].target.digest: expected a string, found a number")
        #expect(decodeError(#"{"events": [{"action": "push", "target": {"repository": "a", "size": "big"}}]}"#)
            == "events[0].target.size: expected a whole number, found a string")
        #expect(decodeError(#"{"events": [{"action": "copy", "target": {"repository": "a"}}]}"#)
            == "events[0].action: unknown Distribution action 'copy'")
        #expect(decodeError(#"{"events": [{"target": {"repository": "a"}}]}"#) == "events[0].action: is missing")
        #expect(decodeError(#"[]"#) == "expected an object, found an array")
    }
}
