import Testing
@testable import Router

/// Malformed payloads are errors; well-formed payloads of kinds Harbinger does not route are "unsupported".
struct DecodeErrorTests {
    static let harbor = Source(name: "harbor", kind: .harbor)

    @Test func anUnroutedEventKindIsUnsupportedNotInvalid() {
        let payload = Payload(body: Array(#"{"type": "CREATE_TAG", "occur_at": 1, "event_data": {"resources": []}}"#.utf8))
        #expect {
            try SourceDecoders.decode(payload, source: Self.harbor)
        } throws: { error in
            (error as? DecodeError)?.isUnsupported == true
        }
    }

    @Test func truncatedJSONIsInvalid() {
        let payload = Payload(body: Array(#"{"type": "PUSH_ARTIFACT", "event_data": {"#.utf8))
        #expect {
            try SourceDecoders.decode(payload, source: Self.harbor)
        } throws: { error in
            guard let error = error as? DecodeError else { return false }
            return !error.isUnsupported && error.description.hasPrefix("invalid JSON at byte")
        }
    }

    @Test func deepNestingIsRefusedWithoutRecursingIntoIt() {
        let payload = Array((String(repeating: "[", count: 100_000)).utf8)
        #expect(throws: DecodeError.self) { try JSONParser.parse(payload) }
    }

    @Test func jsonStringsDecodeEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(Array(#"{"a": "tab\there \u00e9 \ud83d\ude00 \"q\""}"#.utf8))
        #expect(value == .object(["a": .string("tab\there é 😀 \"q\"")]))
    }
}
