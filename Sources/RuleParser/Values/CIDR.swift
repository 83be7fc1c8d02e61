/// A CIDR block such as 10.0.0.0/8, fd00::/8, or a bare address (a /32 or /128).
///
/// IPv4 blocks also contain the IPv4-mapped IPv6 forms of their addresses, and vice versa.
/// A block with host bits set (`10.0.0.1/8`) is an error, since it is usually a typo.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block.
    public let network: IPAddress
    /// The prefix length in the block's own family: 0 to 32 for IPv4, 0 to 128 for IPv6.
    public let prefixLength: Int
    private let maskHigh: UInt64
    private let maskLow: UInt64

    /// Parses "address/prefix" or a bare address.
    public init(parsing text: String) throws(ValueError) {
        let slash = text.firstIndex(of: "/")
        let addressText = String(text[..<(slash ?? text.endIndex)])
        guard let address = IPAddress(addressText) else {
            throw ValueError("invalid IP address '\(addressText)'")
        }
        let familyBits = address.isIPv4 ? 32 : 128
        var length = familyBits
        if let slash {
            let prefixStart = text.index(after: slash)
            let prefix = text[prefixStart...]
            let offset = text.distance(from: text.startIndex, to: prefixStart)
            guard !prefix.isEmpty else { throw ValueError("missing prefix length after '/'", offset: offset) }
            guard prefix.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  prefix.count == 1 || prefix.first != "0",
                  let value = Int(prefix), value <= familyBits
            else {
                let family = address.isIPv4 ? "IPv4" : "IPv6"
                throw ValueError("invalid prefix length '\(prefix)'; \(family) allows 0 to \(familyBits)", offset: offset)
            }
            length = value
        }
        let bits = length + (128 - familyBits)
        let maskHigh: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : .max << UInt64(64 - bits))
        let maskLow: UInt64 = bits <= 64 ? 0 : .max << UInt64(128 - bits)
        guard address.high & ~maskHigh == 0, address.low & ~maskLow == 0 else {
            let network = IPAddress(high: address.high & maskHigh, low: address.low & maskLow, isIPv4: address.isIPv4)
            throw ValueError("'\(text)' has host bits set; write \(network)/\(length)")
        }
        self.network = address
        self.prefixLength = length
        self.maskHigh = maskHigh
        self.maskLow = maskLow
    }

    /// True when `address` lies in the block (comparing IPv4 and IPv4-mapped IPv6 as the same).
    public func contains(_ address: IPAddress) -> Bool {
        address.high & maskHigh == network.high && address.low & maskLow == network.low
    }

    /// The block as "network/prefix", e.g. "10.0.0.0/8".
    public var description: String { "\(network)/\(prefixLength)" }
}
