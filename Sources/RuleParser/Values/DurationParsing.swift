// Durations and the decimal-number scanning that durations and byte sizes share.

/// Parses "500ms", "2s", "10m", "1h", "1d", compound "1h30m", "1.5s"; units ms s m h d required (a bare number is an error "missing unit in duration '5'; write 5s"), negative is an error.
///
/// The result has nanosecond precision and must fit in 64-bit nanoseconds (about 292 years).
public func parseDuration(_ text: String) throws(ValueError) -> Duration {
    var scanner = DecimalScanner(text)
    scanner.skipSpaces()
    guard !scanner.atEnd else { throw ValueError("empty duration; write a number with a unit, such as 30s") }
    let shown = scanner.trimmed
    if scanner.current == UInt8(ascii: "-") {
        throw scanner.error("negative duration '\(shown)'")
    }
    var total: Int128 = 0
    repeat {
        let number = try scanner.number(in: "duration", shown)
        let numberEnd = scanner.position
        scanner.skipSpaces()
        let unitStart = scanner.position
        let unit = scanner.letters()
        if unit.isEmpty {
            if scanner.atEnd {
                throw ValueError("missing unit in duration '\(shown)'; write \(shown)s", in: text, utf8Offset: numberEnd)
            }
            throw scanner.error("unexpected '\(scanner.currentCharacter)' in duration '\(shown)'")
        }
        guard let nanoseconds = durationUnits[unit] else {
            throw ValueError(
                "unknown unit '\(unit)' in duration '\(shown)'; use ms, s, m, h or d", in: text, utf8Offset: unitStart)
        }
        total += number.scaled(by: nanoseconds).whole
        guard total <= Int128(Int64.max) else {
            throw ValueError("duration '\(shown)' is too large")
        }
        scanner.skipSpaces()
    } while !scanner.atEnd
    return .nanoseconds(Int64(total))
}

private let durationUnits: [String: Int128] = [
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "d": 86_400_000_000_000,
]

/// A non-negative decimal number as written: `integer` plus `fraction / 10^fractionDigits`.
struct DecimalNumber {
    var integer: Int128 = 0
    var fraction: Int128 = 0
    var fractionDigits = 0

    /// The number times `unit`, split into a whole part and whether a fractional part was dropped.
    func scaled(by unit: Int128) -> (whole: Int128, isExact: Bool) {
        var divisor: Int128 = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let fractional = fraction * unit
        return (integer * unit + fractional / divisor, fractional % divisor == 0)
    }
}

/// Walks a value's UTF-8 bytes for the unit-suffixed number formats.
struct DecimalScanner {
    let text: String
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    var atEnd: Bool { position >= bytes.count }
    var current: UInt8? { atEnd ? nil : bytes[position] }

    /// The character at the current position, for messages.
    var currentCharacter: String {
        guard !atEnd else { return "" }
        let utf8 = text.utf8
        let index = utf8.index(utf8.startIndex, offsetBy: position)
        return text[index...].first.map(String.init) ?? ""
    }

    /// The text without surrounding spaces, as shown in messages.
    var trimmed: Substring {
        var slice = Substring(text)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return slice
    }

    func error(_ message: String) -> ValueError {
        ValueError(message, in: text, utf8Offset: position)
    }

    mutating func skipSpaces() {
        while let byte = current, Self.isSpace(byte) { position += 1 }
    }

    /// A run of ASCII letters (a unit name), possibly empty.
    mutating func letters() -> String {
        let start = position
        while let byte = current, (byte | 0x20) >= UInt8(ascii: "a"), (byte | 0x20) <= UInt8(ascii: "z") { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// Digits with an optional fractional part; `kind` and `shown` name the value in messages.
    mutating func number(in kind: String, _ shown: Substring) throws(ValueError) -> DecimalNumber {
        var result = DecimalNumber()
        let start = position
        while let byte = current, Self.isDigit(byte) {
            result.integer = result.integer * 10 + Int128(byte - UInt8(ascii: "0"))
            // Past 10^20 even the smallest unit overflows 64 bits; stop before Int128 does.
            guard result.integer <= 100_000_000_000_000_000_000 else {
                throw ValueError("\(kind) '\(shown)' is too large")
            }
            position += 1
        }
        guard position > start else {
            if current == UInt8(ascii: "-") { throw error("negative \(kind) '\(shown)'") }
            throw error("expected a number in \(kind) '\(shown)'")
        }
        guard current == UInt8(ascii: ".") else { return result }
        position += 1
        let fractionStart = position
        while let byte = current, Self.isDigit(byte) {
            // Digits past the 18th are below a nanosecond (or a byte) for every unit; drop them.
            if result.fractionDigits < 18 {
                result.fraction = result.fraction * 10 + Int128(byte - UInt8(ascii: "0"))
                result.fractionDigits += 1
            }
            position += 1
        }
        guard position > fractionStart else { throw error("expected digits after '.' in \(kind) '\(shown)'") }
        return result
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
