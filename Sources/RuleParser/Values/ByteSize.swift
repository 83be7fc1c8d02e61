/// A byte count parsed with units: "512KiB", "1GB", "10 MB", "100" (bytes); units B, KB/kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024), case-insensitive; overflow is an error.
///
/// A fraction is allowed when it comes to whole bytes: "1.5KiB" is 1536 bytes, "1.5B" is an error.
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number of bytes.
    public let bytes: Int64

    /// A size of exactly `bytes` bytes.
    public init(bytes: Int64) {
        self.bytes = bytes
    }

    /// Parses a number with an optional unit, such as "512KiB" or "10 MB".
    public init(parsing text: String) throws(ValueError) {
        var scanner = DecimalScanner(text)
        scanner.skipSpaces()
        guard !scanner.atEnd else { throw ValueError("empty size; write a number with a unit, such as 10MB") }
        let shown = scanner.trimmed
        let number = try scanner.number(in: "size", shown)
        scanner.skipSpaces()
        let unitStart = scanner.position
        let unit = scanner.letters()
        let multiplier: Int128
        if unit.isEmpty {
            multiplier = 1
        } else if let known = Self.units[unit.lowercased()] {
            multiplier = known
        } else {
            throw ValueError(
                "unknown unit '\(unit)' in size '\(shown)'; use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB",
                in: text, utf8Offset: unitStart)
        }
        scanner.skipSpaces()
        guard scanner.atEnd else { throw scanner.error("unexpected '\(scanner.currentCharacter)' in size '\(shown)'") }
        let (whole, isExact) = number.scaled(by: multiplier)
        guard isExact else { throw ValueError("size '\(shown)' is not a whole number of bytes") }
        guard whole <= Int128(Int64.max) else { throw ValueError("size '\(shown)' is too large") }
        self.bytes = Int64(whole)
    }

    private static let units: [String: Int128] = [
        "b": 1,
        "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
        "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
    ]

    /// The size in the largest unit that divides it exactly ("512KiB", "1GB", "100B"); parses back to the same size.
    public var description: String {
        guard bytes > 0 else { return "\(bytes)B" }
        let candidates: [(name: String, size: Int64)] = [
            ("TiB", 1 << 40), ("TB", 1_000_000_000_000), ("GiB", 1 << 30), ("GB", 1_000_000_000),
            ("MiB", 1 << 20), ("MB", 1_000_000), ("KiB", 1 << 10), ("KB", 1_000),
        ]
        for (name, size) in candidates where bytes % size == 0 {
            return "\(bytes / size)\(name)"
        }
        return "\(bytes)B"
    }

    /// Orders sizes by byte count.
    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }
}
