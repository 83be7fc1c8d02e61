import Testing
@testable import Router

private let context = DecodeContext(sourceName: "harbor", registry: "fallback.example.com")
private let busybox = "sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c"
private let shopWeb = "sha256:3f1e0b6d8a4c2e7f9b1d5a3c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a1c3e5f"

private func decode(_ name: String) throws -> [Event] {
    try HarborDecoder().decode(fixture("harbor", name), context: context)
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try HarborDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

/// An event as Harbor fixtures produce it: every canonical field given, media type and size never carried.
private func harborEvent(id: String = "", _ type: EventType, registry: String?, namespace: String, repository: String,
                         tag: String?, digest: String?, actor: String?, at occurredAt: String,
                         scan: Scan? = nil) -> Event {
    Event(id: id, source: .harbor, sourceName: "harbor", type: type, registry: registry, namespace: namespace,
          repository: repository, tag: tag, digest: digest, mediaType: nil, artifact: nil, size: nil, actor: actor,
          occurredAt: occurredAt, scan: scan, callbackURL: nil)
}

/// A Default-format body with the given type and resources.
private func defaultBody(type: String = "PUSH_ARTIFACT", resources: String) -> String {
    """
    {"type": "\(type)", "occur_at": 0, "operator": "ci",
     "event_data": {"resources": \(resources), "repository": {"namespace": "shop", "repo_full_name": "shop/web"}}}
    """
}

/// Harbor's Default, CloudEvents, CDEvents and 1.x formats.
struct HarborDecoderTests {
    @Test func pushArtifactIsOnePushWithTheResourceHost() throws {
        let events = try decode("push-artifact")
        #expect(events == [
            harborEvent(.push, registry: "harbor.example.com", namespace: "shop", repository: "shop/web", tag: "1.4.2",
                        digest: shopWeb, actor: "ci-bot", at: "2026-11-22T09:33:20Z"),
        ])
        #expect(events.map(\.image) == ["harbor.example.com/shop/web:1.4.2"])
    }

    @Test func scanningCompletedReadsTheGenericReport() throws {
        #expect(try decode("scanning-completed") == [
            harborEvent(.scanCompleted, registry: "harbor.example.com", namespace: "shop", repository: "shop/web",
                        tag: "1.4.2", digest: shopWeb, actor: "auto", at: "2026-11-22T09:35:00Z",
                        scan: Scan(severity: .high, counts: [.high: 3, .medium: 7, .low: 1], fixable: 4, scanner: "Trivy")),
        ])
    }

    @Test func scanningCompletedReadsTheNativeReport() throws {
        #expect(try decode("scanning-completed-native-report") == [
            harborEvent(.scanCompleted, registry: "hub.harbor.com", namespace: "test-webhook",
                        repository: "test-webhook/debian", tag: "latest",
                        digest: "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8",
                        actor: "admin", at: "2020-11-10T09:22:00Z",
                        scan: Scan(severity: .critical, counts: [.critical: 2, .high: 14, .medium: 40, .low: 28, .unknown: 3],
                                   fixable: 31, scanner: "Trivy")),
        ])
    }

    @Test func failedAndStoppedScansCarryNoScanResult() throws {
        #expect(try decode("scanning-failed") == [
            harborEvent(.scanFailed, registry: "harbor.example.com", namespace: "harbor", repository: "harbor/alpine",
                        tag: nil, digest: "sha256:dabea2944dcc2b86482b4f0b0fb62da80e0673e900c46c0e03b45919881a5d84",
                        actor: "auto", at: "2023-04-03T07:11:25Z"),
        ])
        #expect(try decode("scanning-stopped") == [
            harborEvent(.scanStopped, registry: "harbor.example.com", namespace: "harbor", repository: "harbor/alpine",
                        tag: nil, digest: "sha256:e802987f152d7826cf929ad4999fb3bb956ce7a30966aeb46c749f9120eaf22c",
                        actor: "auto", at: "2023-04-03T06:12:14Z"),
        ])
    }

    @Test func deleteArtifactIsOneDelete() throws {
        #expect(try decode("delete-artifact") == [
            harborEvent(.delete, registry: "harbor.example.com", namespace: "harbor", repository: "harbor/alpine",
                        tag: "3.8", digest: "sha256:2bb501e6173d9d006e56de5bce2720eb06396803300fe1687b58a7ff32bf4c14",
                        actor: "harbor-jobservice", at: "2023-04-03T06:16:38Z"),
        ])
    }

    @Test func pullByDigestHasNoTag() throws {
        let events = try decode("pull-artifact")
        #expect(events == [
            harborEvent(.pull, registry: "harbor.dev", namespace: "library", repository: "library/busybox", tag: nil,
                        digest: busybox, actor: "admin", at: "2023-03-06T05:58:23Z"),
        ])
        #expect(events.map(\.image) == ["harbor.dev/library/busybox@\(busybox)"])
    }

    @Test func quotaEventsUseTheSourceRegistryAndHaveNoActor() throws {
        #expect(try decode("quota-exceed") == [
            harborEvent(.quotaExceeded, registry: "fallback.example.com", namespace: "harbor", repository: "harbor/alpine",
                        tag: nil, digest: "sha256:402d21757a03a114d273bbe372fa4b9eca567e8b6c332fa7ebf982b902207242",
                        actor: nil, at: "2023-04-03T07:04:44Z"),
        ])
        #expect(try decode("quota-warning") == [
            harborEvent(.quotaWarning, registry: "fallback.example.com", namespace: "harbor", repository: "harbor/alpine",
                        tag: nil, digest: "sha256:514ec80ffbe1a2ab1d9a3d5e6082296296a1d8b6870246edf897228e5df2367d",
                        actor: nil, at: "2023-04-03T07:07:33Z"),
        ])
    }

    @Test func replicationNamesTheArtifactAtItsDestination() throws {
        #expect(try decode("replication") == [
            harborEvent(.replication, registry: "harbor.example.com", namespace: "harbor", repository: "harbor/alpine",
                        tag: nil, digest: nil, actor: "MANUAL", at: "2023-04-03T06:05:04Z"),
        ])
    }

    @Test func tagRetentionIsOneEventPerDeletedArtifact() throws {
        #expect(try decode("tag-retention") == [
            harborEvent(.tagRetention, registry: "harbor.example.com", namespace: "harbor", repository: "harbor/alpine",
                        tag: "3.8", digest: nil, actor: "MANUAL", at: "2023-04-03T06:16:38Z"),
        ])
    }

    @Test func v1PushImageHasNoHostAndMillisecondTriggerTime() throws {
        #expect(try decode("v1-push-image") == [
            harborEvent(.push, registry: "fallback.example.com", namespace: "prj", repository: "prj/repo1",
                        tag: "latest", digest: nil, actor: nil, at: "1975-01-07T10:23:53Z"),
        ])
    }

    @Test func cloudEventsPushUsesTheEventIDAndTime() throws {
        #expect(try decode("cloudevents-push-artifact") == [
            harborEvent(id: "4b2f89a6-548d-4c12-9993-a1f5790b97d2", .push, registry: "harbor.dev", namespace: "library",
                        repository: "library/busybox", tag: "v1.0", digest: busybox, actor: "admin",
                        at: "2023-03-06T06:08:43Z"),
        ])
    }

    @Test func cloudEventsScanCompletedReadsTheScanOverview() throws {
        #expect(try decode("cloudevents-scanning-completed") == [
            harborEvent(id: "e61d4c2a-7f0b-4a35-9b18-3c5e2d9f8a71", .scanCompleted, registry: "harbor.dev",
                        namespace: "library", repository: "library/busybox", tag: "v1.0", digest: busybox, actor: "auto",
                        at: "2023-03-06T06:09:12Z",
                        scan: Scan(severity: .medium, counts: [.medium: 1, .low: 2], fixable: 1, scanner: "Trivy")),
        ])
    }

    @Test func cdEventsPushReadsTheCustomData() throws {
        #expect(try decode("cdevents-push-artifact") == [
            harborEvent(id: "2d47734c-83e2-41dc-bcbf-23bd2a3734a2", .push, registry: "harbor.dev", namespace: "library",
                        repository: "library/busybox", tag: "v1.0", digest: busybox, actor: "admin",
                        at: "2023-03-06T06:08:43Z"),
        ])
    }

    @Test func severalResourcesAreSeveralEvents() throws {
        let body = defaultBody(resources: """
            [{"digest": "sha256:a", "tag": "1", "resource_url": "h.example.com/shop/web:1"},
             {"digest": "sha256:b", "tag": "sha256:b"}]
            """)
        let events = try HarborDecoder().decode(payload(body), context: context)
        #expect(events.map(\.image) == ["h.example.com/shop/web:1", "fallback.example.com/shop/web@sha256:b"])
        // The Default format has no id: SourceDecoders derives one per event from the differing fields.
        #expect(events.map(\.id) == ["", ""])
        #expect(Set(events.map { $0.withStableID().id }).count == 2)
        #expect(events.map(\.occurredAt) == ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"])
    }

    @Test func severalResourcesInOneCloudEventGetIndexedIDs() throws {
        let body = """
        {"specversion": "1.0", "id": "ev-1", "type": "harbor.artifact.deleted", "source": "/p/1",
         "data": {"resources": [{"digest": "sha256:a"}, {"digest": "sha256:b"}],
                  "repository": {"namespace": "shop", "repo_full_name": "shop/web"}}}
        """
        let events = try HarborDecoder().decode(payload(body), context: context)
        #expect(events.map(\.id) == ["ev-1-0", "ev-1-1"])
        #expect(events.map(\.type) == [.delete, .delete])
    }

    @Test func chartEventsAreCharts() throws {
        let body = defaultBody(type: "UPLOAD_CHART", resources: #"[{"tag": "0.1.0"}]"#)
        let events = try HarborDecoder().decode(payload(body), context: context)
        #expect(events.map(\.type) == [.chartPush])
        #expect(events.map(\.artifact) == [.chart])
    }

    @Test func scanWithNothingFoundIsSeverityNone() throws {
        let body = defaultBody(type: "SCANNING_COMPLETED", resources: """
            [{"digest": "sha256:a", "scan_overview": {"any/report": {"severity": "None",
              "summary": {"total": 0, "fixable": 0, "summary": {}}, "scanner": {"name": "Clair"}}}}]
            """)
        let events = try HarborDecoder().decode(payload(body), context: context)
        #expect(events.map(\.scan) == [Scan(severity: .none, counts: [:], fixable: 0, scanner: "Clair")])
    }

    @Test func unknownFieldsAreIgnored() throws {
        let body = """
        {"type": "PUSH_ARTIFACT", "occur_at": 1795340000, "new": {"x": [1]},
         "event_data": {"resources": [{"tag": "1", "labels": ["a"]}], "custom_attributes": {},
                        "repository": {"repo_full_name": "shop/web", "stars": 5}}}
        """
        let events = try HarborDecoder().decode(payload(body), context: context)
        #expect(events.map(\.image) == ["fallback.example.com/shop/web:1"])
        #expect(events.map(\.namespace) == ["shop"])
    }

    @Test func unknownEventTypesAreErrorsNamingTheValue() {
        #expect(decodeError(defaultBody(type: "CREATE_TAG", resources: "[]")) == "type: unknown Harbor event type 'CREATE_TAG'")
        #expect(decodeError(#"{"event_type": "pushChart", "events": []}"#)
            == "event_type: unknown Harbor 1.x event type 'pushChart'")
        #expect(decodeError(#"{"specversion": "1.0", "type": "harbor.tag.created", "data": {}}"#)
            == "type: unknown CloudEvents type 'harbor.tag.created'")
    }

    @Test func malformedPayloadsNameThePathAndProblem() {
        #expect(decodeError(#"{"type": "PUSH_ARTIFACT", "event_data": {"#) == "invalid JSON at byte 41: expected a member name")
        #expect(decodeError(#"{"occur_at": 1}"#) == "type: is missing")
        #expect(decodeError(#"{"type": "PUSH_ARTIFACT"}"#) == "event_data: is missing")
        #expect(decodeError(#"{"type": 3, "event_data": {}}"#) == "type: expected a string, found a number")
        #expect(decodeError(defaultBody(resources: #"[{"digest": 7}]"#))
            == "event_data.resources[0].digest: expected a string, found a number")
        #expect(decodeError(#"{"type": "PUSH_ARTIFACT", "occur_at": "soon", "event_data": {}}"#)
            == "occur_at: expected a whole number, found a string")
        #expect(decodeError(#"{"type": "PUSH_ARTIFACT", "event_data": {"resources": []}}"#)
            == "event_data.repository: is missing")
        #expect(decodeError(#"{"type": "PUSH_ARTIFACT", "event_data": {"resources": [], "repository": {}}}"#)
            == "event_data.repository.repo_full_name: is missing")
        #expect(decodeError(#"{"type": "PUSH_ARTIFACT", "event_data": {"repository": {"repo_full_name": "a/b"}}}"#)
            == "event_data.resources: is missing")
        #expect(decodeError(#"{"type": "REPLICATION", "event_data": {"replication": {"successful_artifact": [{}]}}}"#)
            == "event_data.replication.successful_artifact[0].name_tag: is missing")
        #expect(decodeError(#"{"event_type": "pushImage", "events": [{"tag": "1"}]}"#) == "events[0].repo_name: is missing")
    }

    @Test func unknownSeveritiesAreErrorsWithTheReportPath() {
        let body = defaultBody(type: "SCANNING_COMPLETED", resources: """
            [{"scan_overview": {"r": {"severity": "Dire", "summary": null}}}]
            """)
        #expect(decodeError(body) == "event_data.resources[0].scan_overview.r.severity: unknown severity 'Dire'")
        let counts = defaultBody(type: "SCANNING_COMPLETED", resources: """
            [{"scan_overview": {"r": {"severity": "High", "summary": {"summary": {"Severe": 1}}}}}]
            """)
        #expect(decodeError(counts) == "event_data.resources[0].scan_overview.r.summary.summary.Severe: unknown severity 'Severe'")
    }

    @Test func countsOfOneSeverityAddUpAndAnOverflowIsAnErrorNotACrash() throws {
        let twice = defaultBody(type: "SCANNING_COMPLETED", resources: """
            [{"scan_overview": {"r": {"severity": "Critical", "summary": {"summary": {"Critical": 1, "critical": 2}}}}}]
            """)
        #expect(try HarborDecoder().decode(payload(twice), context: context).map(\.scan?.counts) == [[.critical: 3]])
        // Each count is a valid Int64; their sum used to trap.
        for count in ["8e18", "-8e18"] {
            let body = defaultBody(type: "SCANNING_COMPLETED", resources: """
                [{"scan_overview": {"r": {"severity": "Critical", "summary": {"summary": {"Critical": \(count), "critical": \(count)}}}}}]
                """)
            #expect(decodeError(body)
                == "event_data.resources[0].scan_overview.r.summary.summary.critical: the critical counts add up beyond a 64-bit integer")
        }
    }

    @Test func unixSecondsRenderAsRFC3339UTC() {
        #expect(UnixTime.rfc3339(seconds: 0) == "1970-01-01T00:00:00Z")
        #expect(UnixTime.rfc3339(seconds: -1) == "1969-12-31T23:59:59Z")
        #expect(UnixTime.rfc3339(seconds: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(UnixTime.rfc3339(seconds: 1_709_251_199) == "2024-02-29T23:59:59Z")
        #expect(UnixTime.rfc3339(seconds: 4_107_542_400) == "2100-03-01T00:00:00Z")
        #expect(UnixTime.rfc3339(seconds: 253_402_300_799) == "9999-12-31T23:59:59Z")
        #expect(UnixTime.rfc3339(seconds: 253_402_300_800) == nil)
        #expect(UnixTime.rfc3339(seconds: -62_167_219_200) == "0000-01-01T00:00:00Z")
    }

    @Test func unixMillisRenderAsRFC3339UTCWithExactMilliseconds() {
        #expect(UnixTime.rfc3339(millis: 0) == "1970-01-01T00:00:00.000Z")
        // A Double of seconds would show .122 here: 1764000000.123 is not exact in binary.
        #expect(UnixTime.rfc3339(millis: 1_764_000_000_123) == "2025-11-24T16:00:00.123Z")
        #expect(UnixTime.rfc3339(millis: 1_709_251_199_999) == "2024-02-29T23:59:59.999Z")
        #expect(UnixTime.rfc3339(millis: -1) == "1969-12-31T23:59:59.999Z")
        #expect(UnixTime.rfc3339(millis: -1000) == "1969-12-31T23:59:59.000Z")
        #expect(UnixTime.rfc3339(millis: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(UnixTime.rfc3339(millis: 253_402_300_800_000) == nil)
    }
}
