/// CloudEvents binary content mode: attributes in percent-encoded `ce-*` headers, the body is `data`.
extension CloudEventsDecoder {
    /// The CloudEvent of a binary-mode request; a non-JSON body is treated as data that names no image.
    static func binaryEvent(_ payload: Payload) throws(DecodeError) -> CloudEvent {
        func attribute(_ name: String) -> String? { payload.header("ce-\(name)").map(percentDecoded).nonEmpty }
        guard let type = attribute("type") else { throw DecodeError(path: "type", "is missing (no ce-type header)") }
        var data: JSONCursor?
        if isJSON(payload.contentType), payload.body.contains(where: { !Self.isSpace($0) }) {
            data = JSONCursor(try JSONParser.parse(payload.body), path: "data")
        }
        return CloudEvent(
            id: attribute("id") ?? "", type: type, typePath: "type", subject: attribute("subject"),
            time: attribute("time"), operatorName: attribute("operator"), data: data, dataPath: "data")
    }

    /// `application/json`, `text/json`, `*/*+json`, or no content type at all (JSON is the default).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return true }
        return contentType == "application/json" || contentType == "text/json" || contentType.hasSuffix("+json")
    }

    /// Decodes `%XX` escapes (HTTP binding §3.1.3.2); malformed escapes are kept as written.
    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let high = HexDigit.value(utf8[utf8.startIndex]),
               let low = HexDigit.value(utf8[utf8.startIndex + 1]) {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }


    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
