import Testing
@testable import Router

private let context = DecodeContext(sourceName: "gcp", registry: "ignored.example.com")
private let digest = "sha256:d59294a6a351cfafc014f627d32ac0f3789c3ef33827a4a2e48d65141b71ad6c"
private let host = "us-west1-docker.pkg.dev"
private let repository = "my-project/my-repo/hello-world"

private func decode(_ payload: Payload) throws -> [Event] {
    try GARDecoder().decode(payload, context: context)
}

private func event(_ id: String, _ type: EventType, tag: String?, digest: String?, at time: String) -> Event {
    Event(id: id, source: .gar, sourceName: "gcp", type: type, registry: host, namespace: "my-project",
          repository: repository, tag: tag, digest: digest, mediaType: nil, artifact: nil, size: nil, actor: nil,
          occurredAt: time, scan: nil, callbackURL: nil)
}

/// A push envelope around `data`, base64-encoded here (standard alphabet, padded).
private func envelope(_ data: String) -> String {
    #"{"message": {"data": "\#(base64(Array(data.utf8)))", "messageId": "m-1"}, "subscription": "s"}"#
}

private func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var out = ""
    for start in stride(from: 0, to: bytes.count, by: 3) {
        let chunk = Array(bytes[start..<min(start + 3, bytes.count)]) + [0, 0]
        let n = UInt32(chunk[0]) << 16 | UInt32(chunk[1]) << 8 | UInt32(chunk[2])
        let count = min(3, bytes.count - start)
        for i in 0..<4 { out.append(i <= count ? alphabet[Int(n >> UInt32(18 - 6 * i) & 63)] : "=") }
    }
    return out
}

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try GARDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

@Test func garInsertWithTagIsATaggedPush() throws {
    let events = try decode(fixture("gar", "insert-tag"))
    #expect(events == [event("2070443601311540", .push, tag: "1.1", digest: digest, at: "2026-11-22T10:05:01.749Z")])
    #expect(events.map(\.image) == ["\(host)/\(repository):1.1"])
}

@Test func garInsertWithOnlyDigestIsAnUntaggedPush() throws {
    let events = try decode(fixture("gar", "insert-digest"))
    #expect(events == [event("2070443601311539", .push, tag: nil, digest: digest, at: "2026-11-22T10:05:01.512Z")])
    #expect(events.map(\.image) == ["\(host)/\(repository)@\(digest)"])
}

@Test func garDeleteOfATagIsADelete() throws {
    let events = try decode(fixture("gar", "delete-tag"))
    #expect(events == [event("2070443601399877", .delete, tag: "1.1", digest: nil, at: "2026-11-23T08:00:12.031Z")])
    #expect(events.map(\.image) == ["\(host)/\(repository):1.1"])
}

@Test func garDeleteOfADigestIsADelete() throws {
    let events = try decode(fixture("gar", "delete-digest"))
    #expect(events == [event("2070443601399878", .delete, tag: nil, digest: digest, at: "2026-11-23T08:00:12.204Z")])
    #expect(events.map(\.image) == ["\(host)/\(repository)@\(digest)"])
}

@Test func garReadsSnakeCaseFieldsAndGCRHosts() throws {
    let data = base64(Array(#"{"action":"INSERT","tag":"gcr.io/proj/app:v1"}"#.utf8))
    let events = try decode(payload("""
        {"message": {"data": "\(data)", "message_id": "7", "publish_time": "2026-01-01T00:00:00Z", "attributes": {}},
         "subscription": "s", "deliveryAttempt": 2}
        """))
    #expect(events.map(\.id) == ["7"])
    #expect(events.map(\.occurredAt) == ["2026-01-01T00:00:00Z"])
    #expect(events.map(\.image) == ["gcr.io/proj/app:v1"])
    #expect(events.map(\.namespace) == ["proj"])
}

@Test func garAcceptsUnpaddedURLSafeBase64() throws {
    let data = base64(Array(#"{"action":"DELETE","tag":"gcr.io/p/a:1?"}"#.utf8))
    let urlSafe = String(data.filter { $0 != "=" }.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    let events = try decode(payload(#"{"message": {"data": "\#(urlSafe)"}}"#))
    #expect(events.map(\.tag) == ["1?"])
    #expect(events.map(\.id) == [""])
}

@Test func garIgnoresUnknownFields() throws {
    let events = try decode(payload(envelope(#"{"action":"INSERT","tag":"gcr.io/p/a:1","extra":{"x":[1]}}"#)))
    #expect(events.map(\.image) == ["gcr.io/p/a:1"])
}

@Test func garTruncatedJSONIsRefused() {
    #expect(decodeError(#"{"message": {"data": "#) == "invalid JSON at byte 21: unexpected end of input")
    #expect(decodeError(envelope(#"{"action":"INSERT""#)) == "message.data: decoded data is not JSON: invalid JSON at byte 18: unexpected end of input")
}

@Test func garBadBase64IsRefusedAtMessageData() {
    #expect(decodeError(#"{"message": {"data": "not base64!"}}"#) == "message.data: expected base64 text")
    #expect(decodeError(#"{"message": {"data": "QUJDRA=x"}}"#) == "message.data: expected base64 text")
    #expect(decodeError(#"{"message": {"data": "QUJDR"}}"#) == "message.data: expected base64 text")
}

@Test func garErrorsNameThePath() {
    #expect(decodeError(#"{"subscription": "s"}"#) == "message: is missing")
    #expect(decodeError(#"{"message": {"messageId": "1"}}"#) == "message.data: is missing")
    #expect(decodeError(#"{"message": {"data": 12}}"#) == "message.data: expected a string, found a number")
    #expect(decodeError(envelope(#"{"tag":"gcr.io/p/a:1"}"#)) == "message.data.action: is missing")
    #expect(decodeError(envelope(#"{"action":"INSERT"}"#)) == "message.data: expected a 'digest' or 'tag'")
    #expect(decodeError(envelope(#"{"action":"INSERT","tag":["x"]}"#)) == "message.data.tag: expected a string, found an array")
    #expect(decodeError(envelope(#"{"action":"INSERT","tag":"gcr.io/p/a"}"#))
        == "message.data.tag: expected HOST/REPOSITORY:TAG, found 'gcr.io/p/a'")
    #expect(decodeError(envelope(#"{"action":"INSERT","tag":"localhost:5000/p/a"}"#))
        == "message.data.tag: expected HOST/REPOSITORY:TAG, found 'localhost:5000/p/a'")
    #expect(decodeError(envelope(#"{"action":"INSERT","digest":"app@sha256:1"}"#))
        == "message.data.digest: expected HOST/REPOSITORY@DIGEST, found 'app@sha256:1'")
    #expect(decodeError(#"{"message": {"data": "e30=", "messageId": 5}}"#) == "message.data.action: is missing")
}

@Test func garUnknownActionIsRefused() {
    #expect(decodeError(envelope(#"{"action":"UPDATE","tag":"gcr.io/p/a:1"}"#))
        == "message.data.action: unsupported Artifact Registry action 'UPDATE'")
}
