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

    @Test func aMemberNamedTwiceKeepsItsLastValueForReadsAndComparisons() throws {
        let cursor = try JSONCursor.parse(Array(#"{"tag": "1.0", "size": 3, "tag": "2.0", "none": null}"#.utf8))
        #expect(try cursor.string("tag") == "2.0")
        #expect(try cursor.int("size") == 3)
        #expect(try cursor.optional("none") == nil)
        #expect(try cursor.optional("missing") == nil)
        #expect(try cursor.members().map(\.key) == ["none", "size", "tag"])
        #expect(cursor.value == .object(["size": .number(3), "none": .null, "tag": .string("2.0")]))
        #expect(cursor.value != .object(["size": .number(3), "none": .null, "tag": .string("1.0")]))
        #expect(Set([cursor.value, .object(["tag": .string("2.0"), "none": .null, "size": .number(3)])]).count == 1)
    }

    @Test func numbersReadTheSameOnTheWholeNumberPathAndTheGeneralOne() throws {
        let cases: [(String, Double)] = [
            ("0", 0), ("7", 7), ("-42", -42), ("1019", 1019), ("123456789012345", 123_456_789_012_345),
            ("1234567890123456789", Double("1234567890123456789") ?? 0), ("1.5", 1.5), ("-2.5e3", -2500), ("1E2", 100), ("01", 1),
        ]
        for (text, expected) in cases {
            #expect(try JSONParser.parse(Array("[\(text)]".utf8)) == .array([.number(expected)]), "\(text)")
        }
        // -0 keeps its sign, as Double("-0") does.
        guard case .array(let items) = try JSONParser.parse(Array("[-0]".utf8)), case .number(let zero) = items.first else {
            Issue.record("-0 did not parse to a number")
            return
        }
        #expect(zero == 0 && zero.sign == .minus)
        for bad in ["-", "1-", "1.2.3", "--1", "1e", "12x"] {
            #expect(throws: DecodeError.self, "\(bad)") { try JSONParser.parse(Array("[\(bad)]".utf8)) }
        }
    }

    @Test func errorsNameTheFullPathOfTheFieldAtFault() {
        let cursor = try? JSONCursor.parse(Array(#"{"events": [{"target": {"size": "big"}}, {"target": 3}]}"#.utf8))
        #expect {
            try cursor?.required("events").array()[0].required("target").int("size")
        } throws: { error in
            (error as? DecodeError)?.description.hasPrefix("events[0].target.size:") == true
        }
        #expect {
            try cursor?.required("events").array()[1].required("target").string("tag")
        } throws: { error in
            (error as? DecodeError)?.description.hasPrefix("events[1].target:") == true
        }
        #expect {
            try cursor?.required("events").array()[0].required("target").required("repository")
        } throws: { error in
            (error as? DecodeError)?.description.hasPrefix("events[0].target.repository:") == true
        }
        let nested = JSONCursor(.object(["a": .object([:])]), path: "data")
        #expect(throws: DecodeError.self) { try nested.required("a").required("b") }
        #expect((try? nested.required("a"))?.path == "data.a")
    }

    @Test func theMediaTypeIsTheContentTypeWithoutParametersLowerCased() {
        let types = ["application/JSON; charset=utf-8", "  application/vnd.docker.distribution.events.v1+json ",
                     "\tText/Plain;q=1", "application/json", ""]
        let expected = ["application/json", "application/vnd.docker.distribution.events.v1+json", "text/plain",
                        "application/json", ""]
        for (type, want) in zip(types, expected) {
            #expect(Payload(body: [], headers: [(name: "Content-Type", value: type)]).contentType == want, "\(type)")
        }
        #expect(Payload(body: []).contentType == nil)
        #expect(Payload(body: [], headers: [(name: "X-Ünïcode", value: "a")]).header("x-ünïcode") == "a")
    }
}
