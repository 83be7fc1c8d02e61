/// Stable event ids for senders that give none, so a retried notification is recognised.
public enum EventID {
    /// A 32-hex-digit id from the canonical fields (two 64-bit FNV-1a hashes with different seeds).
    public static func stable(_ event: Event) -> String {
        let fields = [
            event.source.rawValue, event.sourceName, event.type.rawValue, event.registry ?? "", event.repository,
            event.tag ?? "", event.digest ?? "", event.actor ?? "", event.occurredAt ?? "",
            event.scan.map { "\($0.severity.name)" } ?? "",
        ]
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for field in fields {
            for byte in field.utf8 {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            a = (a ^ 0x1F) &* 0x0000_0100_0000_01B3
            b = (b ^ 0x1E) &* 0x0000_0100_0000_01B3
        }
        return hex(a) + hex(b)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension Event {
    /// This event with `id` set to the stable hash when the sender gave none.
    public func withStableID() -> Event {
        guard id.isEmpty else { return self }
        var copy = self
        copy.id = EventID.stable(self)
        return copy
    }
}
