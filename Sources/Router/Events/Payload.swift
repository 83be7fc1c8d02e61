/// A webhook request as a decoder sees it: the raw body and the headers.
public struct Payload: Sendable {
    /// The raw body bytes, kept for actions that forward the original.
    public var body: [UInt8]
    /// Headers with lower-cased names, in order.
    public var headers: [(name: String, value: String)]

    /// Creates a payload; header names are lower-cased here, once.
    public init(body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.body = body
        self.headers = headers.map { ($0.name.asciiLowercased, $0.value) }
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lowered = name.asciiLowercased
        return headers.first { $0.name == lowered }?.value
    }

    /// The media type of the body, without parameters (`application/json`).
    public var contentType: String? {
        guard let value = header("content-type") else { return nil }
        // Byte-wise: a media type is ASCII, and this runs on every request.
        var type = value.utf8[..<(value.utf8.firstIndex(of: UInt8(ascii: ";")) ?? value.utf8.endIndex)]
        while let first = type.first, Self.isSpace(first) { type = type.dropFirst() }
        while let last = type.last, Self.isSpace(last) { type = type.dropLast() }
        return String(Substring(type)).asciiLowercased
    }

    /// Optional white space around a header value's parts.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }
}

/// What a decoder knows about the source a payload arrived through.
public struct DecodeContext: Sendable {
    /// The source's name.
    public var sourceName: String
    /// The source's `registry` option: the host when the payload lacks one.
    public var registry: String?
    /// Keep blob/layer events.
    public var includeBlobs: Bool

    /// Creates a context.
    public init(sourceName: String, registry: String? = nil, includeBlobs: Bool = false) {
        self.sourceName = sourceName
        self.registry = registry
        self.includeBlobs = includeBlobs
    }

    /// The context for a declared source.
    public init(_ source: Source) {
        self.init(sourceName: source.name, registry: source.registry, includeBlobs: source.includeBlobs)
    }
}

extension String {
    /// Lower-cased. Header names and media types are ASCII: text with no ASCII capital and no other
    /// byte above 0x7F is returned as it is, without a copy or Unicode's case tables.
    var asciiLowercased: String {
        var hasCapital = false
        for byte in utf8 {
            if byte >= 0x80 { return lowercased() }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { hasCapital = true }
        }
        return hasCapital ? lowercased() : self
    }

    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
