/// The client's address for `cidr` checks: the TCP peer, or, behind trusted proxies, the X-Forwarded-For entry they vouch for.
import Foundation

/// Resolves the client address of a request.
public enum ClientAddress {
    /// The peer itself unless it is a trusted proxy; then X-Forwarded-For is walked from the right, skipping
    /// trusted proxies, and the first untrusted entry is the client (the leftmost one when every entry is trusted).
    /// Nil when the peer is unknown or the entry that would decide is not an IP address.
    public static func resolve(peer: IPAddress?, forwardedFor: [String], trustedProxies: [CIDR]) -> IPAddress? {
        guard let peer else { return nil }
        guard isTrusted(peer, trustedProxies) else { return peer }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var client = peer
        for entry in entries.reversed() {
            guard let address = parse(entry) else { return nil }
            client = address
            if !isTrusted(address, trustedProxies) { return address }
        }
        return client
    }

    /// An X-Forwarded-For entry: a bare address, `a.b.c.d:port`, or `[v6]` with an optional port.
    static func parse(_ entry: String) -> IPAddress? {
        if let address = IPAddress(entry) { return address }
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            return IPAddress(String(entry[entry.index(after: entry.startIndex)..<close]))
        }
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, parts[1].allSatisfy(\.isNumber) { return IPAddress(String(parts[0])) }
        return nil
    }

    private static func isTrusted(_ address: IPAddress, _ proxies: [CIDR]) -> Bool {
        proxies.contains { $0.contains(address) }
    }
}
