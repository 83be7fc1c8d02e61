/// Time as a parameter: milliseconds since 1970, from a real or a test clock.
import Foundation

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

/// Renders milliseconds since 1970 as RFC 3339 UTC (`2026-11-22T10:00:00.123Z`).
public func rfc3339(millis: Int64) -> String {
    let date = Date(timeIntervalSince1970: Double(millis) / 1000)
    return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
}
