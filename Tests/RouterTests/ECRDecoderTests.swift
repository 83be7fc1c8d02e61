import Testing
@testable import Router

private let context = DecodeContext(sourceName: "aws", registry: "ignored.example.com")
private let digest = "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678"

private func decode(_ payload: Payload) throws -> [Event] {
    try ECRDecoder().decode(payload, context: context)
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try ECRDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

/// An EventBridge event around `detail`.
private func bridge(_ detailType: String, _ detail: String, region: String = "eu-west-1") -> String {
    """
    {"version": "0", "id": "e-1", "detail-type": "\(detailType)", "source": "aws.ecr", "account": "111122223333",
     "time": "2026-01-01T00:00:00Z", "region": "\(region)", "resources": [], "detail": \(detail)}
    """
}

@Test func ecrImagePushIsATaggedPush() throws {
    let events = try decode(fixture("ecr", "image-push"))
    #expect(events == [
        Event(id: "13cde686-328b-6117-af20-0e5566167482", source: .ecr, sourceName: "aws", type: .push,
              registry: "123456789012.dkr.ecr.us-west-2.amazonaws.com", namespace: nil, repository: "my-repo",
              tag: "latest", digest: digest, mediaType: nil, artifact: nil, size: nil, actor: nil,
              occurredAt: "2019-11-16T01:54:34Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repo:latest"])
}

@Test func ecrImageDeleteIsADelete() throws {
    let events = try decode(fixture("ecr", "image-delete"))
    #expect(events == [
        Event(id: "dd3b46cb-2c74-f49e-393b-28286b67279d", source: .ecr, sourceName: "aws", type: .delete,
              registry: "123456789012.dkr.ecr.us-west-2.amazonaws.com", namespace: nil, repository: "my-repo",
              tag: "latest", digest: digest, mediaType: nil, artifact: nil, size: nil, actor: nil,
              occurredAt: "2019-11-16T02:01:05Z", scan: nil, callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repo:latest"])
}

@Test func ecrImageScanIsScanCompletedWithSeverityCounts() throws {
    let events = try decode(fixture("ecr", "image-scan"))
    #expect(events == [
        Event(id: "85fc3613-e913-7fc4-a80c-a3753e4aa9ae", source: .ecr, sourceName: "aws", type: .scanCompleted,
              registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com", namespace: nil, repository: "my-repo",
              tag: nil, digest: digest, mediaType: nil, artifact: nil, size: nil, actor: nil,
              occurredAt: "2019-10-29T02:36:48Z",
              scan: Scan(severity: .critical, counts: [.critical: 10, .medium: 9], fixable: nil, scanner: nil),
              callbackURL: nil),
    ])
    #expect(events.map(\.image) == ["123456789012.dkr.ecr.us-east-1.amazonaws.com/my-repo@\(digest)"])
}

@Test func ecrScanLevelsMapAndSeverityIsTheHighestNonZero() throws {
    let events = try decode(payload(bridge("ECR Image Scan", """
        {"scan-status": "COMPLETE", "repository-name": "team/app", "image-digest": "\(digest)", "image-tags": ["1.0", "latest"],
         "finding-severity-counts": {"CRITICAL": 0, "INFORMATIONAL": 4, "UNDEFINED": 2, "LOW": 1}}
        """, region: "cn-north-1")))
    let scan = Scan(severity: .low, counts: [.critical: 0, .negligible: 4, .unknown: 2, .low: 1])
    #expect(events.map(\.scan) == [scan, scan])
    #expect(events.map(\.tag) == ["1.0", "latest"])
    #expect(events.map(\.id) == ["e-1-0", "e-1-1"])
    #expect(events.map(\.namespace) == ["team", "team"])
    #expect(events.first?.image == "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/team/app:1.0")
}

@Test func ecrScanWithNoFindingsHasSeverityNone() throws {
    let events = try decode(payload(bridge("ECR Image Scan", #"{"scan-status": "COMPLETE", "repository-name": "a", "finding-severity-counts": {}}"#)))
    #expect(events.map(\.scan) == [Scan(severity: .none, counts: [:])])
    let absent = try decode(payload(bridge("ECR Image Scan", #"{"scan-status": "COMPLETE", "repository-name": "a"}"#)))
    #expect(absent.map(\.scan) == [Scan(severity: .none)])
}

@Test func ecrCountsThatOverflowOneLevelAreAnErrorNotACrash() {
    // UNDEFINED and any newer level all count as unknown; two valid Int64 counts used to trap when added.
    #expect(decodeError(bridge("ECR Image Scan", """
        {"scan-status": "COMPLETE", "repository-name": "a", "finding-severity-counts": {"UNDEFINED": 8e18, "VENDOR_NEW": 8e18}}
        """)) == "detail.finding-severity-counts.VENDOR_NEW: the unknown counts add up beyond a 64-bit integer")
    #expect(decodeError(bridge("ECR Image Scan", """
        {"scan-status": "COMPLETE", "repository-name": "a", "finding-severity-counts": {"CRITICAL": -8e18, "critical": -8e18}}
        """)) == "detail.finding-severity-counts.critical: the critical counts add up beyond a 64-bit integer")
}

@Test func ecrFailedScanIsScanFailed() throws {
    let events = try decode(payload(bridge("ECR Image Scan", #"{"scan-status": "FAILED", "repository-name": "a", "image-tags": ["x"]}"#)))
    #expect(events.map(\.type) == [.scanFailed])
    #expect(events.map(\.scan) == [nil])
    #expect(events.map(\.id) == ["e-1"])
}

@Test func ecrFailedActionYieldsNoEvents() throws {
    let failed = bridge("ECR Image Action", #"{"result": "FAILURE", "repository-name": "a", "action-type": "PUSH", "image-tag": "1"}"#)
    #expect(try decode(payload(failed)).isEmpty)
}

@Test func ecrReadsMediaTypesWhenPresent() throws {
    let events = try decode(payload(bridge("ECR Image Action", """
        {"result": "SUCCESS", "repository-name": "a", "action-type": "PUSH", "image-tag": "1",
         "manifest-media-type": "application/vnd.oci.image.manifest.v1+json",
         "artifact-media-type": "application/vnd.oci.image.config.v1+json", "future-field": {"x": 1}}
        """)))
    #expect(events.map(\.mediaType) == ["application/vnd.oci.image.manifest.v1+json"])
    #expect(events.map(\.artifact) == [.image])
    let sbom = try decode(payload(bridge("ECR Image Action", """
        {"result": "SUCCESS", "repository-name": "a", "action-type": "PUSH",
         "manifest-media-type": "application/vnd.oci.image.manifest.v1+json", "artifact-media-type": "application/spdx+json"}
        """)))
    #expect(sbom.map(\.artifact) == [.sbom])
    #expect(sbom.map(\.tag) == [nil])
}

@Test func ecrTruncatedJSONIsRefused() {
    #expect(decodeError(#"{"source": "aws.ecr", "detail": {"#) == "invalid JSON at byte 33: expected a member name")
}

@Test func ecrErrorsNameThePath() {
    #expect(decodeError(#"{"detail-type": "ECR Image Action"}"#) == "source: is missing")
    #expect(decodeError(#"{"source": "aws.ecr", "detail": {}}"#) == "detail-type: is missing")
    #expect(decodeError(#"{"source": "aws.ecr", "detail-type": "ECR Image Action"}"#) == "detail: is missing")
    #expect(decodeError(bridge("ECR Image Action", #"{"result": "SUCCESS", "repository-name": "a"}"#)) == "detail.action-type: is missing")
    #expect(decodeError(bridge("ECR Image Action", #"{"action-type": "PUSH", "repository-name": "a"}"#)) == "detail.result: is missing")
    #expect(decodeError(bridge("ECR Image Action", #"{"result": "SUCCESS", "action-type": "PUSH"}"#))
        == "detail.repository-name: is missing")
    #expect(decodeError(bridge("ECR Image Action", #"{"result": "SUCCESS", "action-type": "PUSH", "repository-name": "a", "image-tag": 3}"#))
        == "detail.image-tag: expected a string, found a number")
    #expect(decodeError(bridge("ECR Image Scan", #"{"scan-status": "COMPLETE", "repository-name": "a", "finding-severity-counts": {"HIGH": "many"}}"#))
        == "detail.finding-severity-counts.HIGH: expected a whole number, found a string")
    #expect(decodeError(bridge("ECR Image Scan", #"{"scan-status": "COMPLETE", "repository-name": "a", "image-tags": "x"}"#))
        == "detail.image-tags: expected an array, found a string")
    #expect(decodeError(#"{"source": "aws.ecr", "detail-type": "ECR Image Action", "detail": {"result": "SUCCESS", "action-type": "PUSH", "repository-name": "a"}}"#)
        == "account: is missing")
}

@Test func ecrUnknownKindsAreRefused() {
    #expect(decodeError(#"{"source": "aws.inspector2", "detail-type": "Inspector2 Finding", "detail": {}}"#)
        == "source: unsupported EventBridge source 'aws.inspector2' (expected 'aws.ecr')")
    #expect(decodeError(bridge("ECR Replication Action", "{}")) == "detail-type: unsupported ECR event 'ECR Replication Action'")
    #expect(decodeError(bridge("ECR Image Action", #"{"result": "SUCCESS", "action-type": "TAG"}"#))
        == "detail.action-type: unsupported ECR image action 'TAG'")
    #expect(decodeError(bridge("ECR Image Scan", #"{"scan-status": "IN_PROGRESS"}"#))
        == "detail.scan-status: unsupported ECR scan status 'IN_PROGRESS'")
}
