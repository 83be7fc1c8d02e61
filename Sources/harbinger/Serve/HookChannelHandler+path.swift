/// Which requests `HookChannelHandler` answers itself: `POST /hooks/<source>`.
import NIOHTTP1

extension HookChannelHandler {
    /// The `<source>` of `POST /hooks/<source>` (or `POST http://host/hooks/<source>`): the path's components,
    /// empty ones skipped as Hummingbird's router skips them, must be `hooks` and one more.
    static func hookSource(_ request: HTTPRequestHead) -> Substring? {
        guard request.method == .POST else { return nil }
        let target = request.uri
        var path = target[..<(target.utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)]
        if path.utf8.first != UInt8(ascii: "/") {
            // The absolute form a proxy sends (RFC 9112, 3.2.2): the path follows the authority.
            guard let scheme = path.range(of: "://"), let slash = path[scheme.upperBound...].firstIndex(of: "/") else { return nil }
            path = path[slash...]
        }
        // The usual form, `/hooks/<source>`, without splitting.
        if path.utf8.starts(with: "/hooks/".utf8) {
            let source = path.utf8.dropFirst(7)
            if !source.isEmpty, !source.contains(UInt8(ascii: "/")) { return Substring(source) }
        }
        var components = path.split(separator: "/").makeIterator()
        guard components.next() == "hooks", let source = components.next(), components.next() == nil else { return nil }
        return source
    }
}
