/// Time as a parameter: milliseconds since 1970, from a real or a test clock.
import Foundation
import Router

/// Tells the time in milliseconds since 1970.
public protocol WallClock: Sendable {
    /// Now.
    func now() -> Int64
}

/// The system clock.
public struct SystemClock: WallClock {
    /// Creates it.
    public init() {}
    public func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// Renders milliseconds since 1970 as RFC 3339 UTC (`2026-11-22T10:00:00.123Z`); a clock outside years
/// 0000...9999 shows as the epoch.
public func rfc3339(millis: Int64) -> String {
    UnixTime.rfc3339(millis: millis) ?? "1970-01-01T00:00:00.000Z"
}
