import Testing
@testable import Router

private let context = DecodeContext(sourceName: "alin", registry: "fallback.example.com")

private func decodeError(_ json: String) -> String? {
    do throws(DecodeError) {
        _ = try AlinioDecoder().decode(payload(json), context: context)
        return nil
    } catch {
        return error.description
    }
}

/// Alin.io-style push webhooks.
struct AlinioDecoderTests {
    @Test func pushIsOneEventWithTheHostFromTheRepository() throws {
        let events = try AlinioDecoder().decode(fixture("alinio", "push"), context: context)
        #expect(events == [
            Event(id: "", source: .alinio, sourceName: "alin", type: .push, registry: "container.alin.io",
                  namespace: "alice", repository: "alice/api", tag: "2.0.1", digest: nil, mediaType: nil, artifact: nil,
                  size: 48_213_344, actor: nil, occurredAt: "2026-11-22T10:05:00Z", scan: nil, callbackURL: nil),
        ])
        #expect(events.map(\.image) == ["container.alin.io/alice/api:2.0.1"])
    }

    @Test func theTagFallsBackToTheHeaderAndTheHostToTheSource() throws {
        let body = #"{"event": "push", "repository": "alice/api", "layers": [], "unknown": {"a": 1}}"#
        let events = try AlinioDecoder().decode(payload(body, headers: [("X-Alin-Webhook", "alice/api:3.0")]), context: context)
        #expect(events.map(\.image) == ["fallback.example.com/alice/api:3.0"])
        #expect(events.map(\.size) == [nil])
    }

    @Test func malformedPayloadsNameThePathAndProblem() {
        #expect(decodeError(#"{"event": "push", "#) == "invalid JSON at byte 18: expected a member name")
        #expect(decodeError(#"{"repository": "a/b"}"#) == "event: is missing")
        #expect(decodeError(#"{"event": "delete", "repository": "a/b"}"#) == "event: unknown Alin.io event 'delete'")
        #expect(decodeError(#"{"event": "push"}"#) == "repository: is missing")
        #expect(decodeError(#"{"event": "push", "repository": ["a"]}"#) == "repository: expected a string, found an array")
        #expect(decodeError(#"{"event": "push", "repository": "a/b", "image_size": "big"}"#)
            == "image_size: expected a whole number, found a string")
    }
}
