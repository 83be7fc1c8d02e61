/// An IPv4 or IPv6 address (IPv4-mapped IPv6 compares equal to IPv4 when matching CIDRs); pure Swift parsing, no Glibc.
///
/// IPv4 addresses are held as their IPv4-mapped IPv6 form (`::ffff:a.b.c.d`), so one
/// 128-bit comparison serves both families. Zone ids (`fe80::1%eth0`) and brackets are rejected.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The upper 64 bits of the 128-bit (IPv4-mapped, for IPv4) address.
    let high: UInt64
    /// The lower 64 bits of the 128-bit (IPv4-mapped, for IPv4) address.
    let low: UInt64
    /// True when the address was written as IPv4 (dotted quad).
    public let isIPv4: Bool

    /// Parses a dotted-quad IPv4 address or an RFC 4291 IPv6 address; nil when `text` is neither.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        if let v4 = Self.parseIPv4(bytes[...]) {
            self.init(ipv4: v4)
        } else if let (high, low) = Self.parseIPv6(bytes[...]) {
            self.init(high: high, low: low, isIPv4: false)
        } else {
            return nil
        }
    }

    /// The IPv4 address whose 32 bits are `value` (most significant octet first).
    public init(ipv4 value: UInt32) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(value), isIPv4: true)
    }

    init(high: UInt64, low: UInt64, isIPv4: Bool) {
        self.high = high
        self.low = low
        self.isIPv4 = isIPv4
    }

    /// True for IPv4 addresses and IPv6 addresses of the form `::ffff:a.b.c.d`.
    var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// Dotted quad for IPv4, RFC 5952 form (lowercase, longest zero run as `::`) for IPv6.
    public var description: String {
        let v4 = "\(low >> 24 & 0xFF).\(low >> 16 & 0xFF).\(low >> 8 & 0xFF).\(low & 0xFF)"
        if isIPv4 { return v4 }
        if isIPv4Mapped { return "::ffff:" + v4 }
        let groups = (0..<8).map { i in UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i % 4))) }
        // The longest run of two or more zero groups (the first, on a tie) becomes "::".
        var bestStart = -1, bestLength = 1, i = 0
        while i < 8 {
            var j = i
            while j < 8, groups[j] == 0 { j += 1 }
            if j - i > bestLength { (bestStart, bestLength) = (i, j - i) }
            i = max(j, i + 1)
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// Four decimal octets without leading zeros (which some parsers read as octal).
    static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(isDecimalDigit),
                  part.count == 1 || part.first != UInt8(ascii: "0")
            else { return nil }
            let octet = part.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// Eight hex groups, one `::` standing for one or more zero groups, optionally ending in a dotted quad.
    static func parseIPv6(_ bytes: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        let colon = UInt8(ascii: ":")
        var head = bytes, tail: ArraySlice<UInt8> = []
        var compressed = false
        if let gap = doubleColon(in: bytes) {
            compressed = true
            head = bytes[bytes.startIndex..<gap]
            tail = bytes[(gap + 2)...]
            guard doubleColon(in: tail) == nil else { return nil }
        }
        guard let headGroups = groups(head, mayEndInIPv4: !compressed),
              let tailGroups = groups(tail, mayEndInIPv4: true)
        else { return nil }
        let explicit = headGroups.count + tailGroups.count
        guard compressed ? explicit <= 7 : explicit == 8 else { return nil }
        let all = headGroups + Array(repeating: 0, count: 8 - explicit) + tailGroups
        let high = all[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = all[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (high, low)

        func doubleColon(in slice: ArraySlice<UInt8>) -> Int? {
            var i = slice.startIndex
            while i + 1 < slice.endIndex {
                if slice[i] == colon, slice[i + 1] == colon { return i }
                i += 1
            }
            return nil
        }
    }

    /// The 16-bit groups of one side of an IPv6 address; an empty side has none.
    private static func groups(_ side: ArraySlice<UInt8>, mayEndInIPv4: Bool) -> [UInt16]? {
        guard !side.isEmpty else { return [] }
        let parts = side.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, mayEndInIPv4, part.contains(UInt8(ascii: ".")) {
                guard let v4 = parseIPv4(part) else { return nil }
                result += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                continue
            }
            guard (1...4).contains(part.count) else { return nil }
            var group: UInt16 = 0
            for byte in part {
                guard let digit = hexValue(byte) else { return nil }
                group = group << 4 | digit
            }
            result.append(group)
        }
        return result
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
