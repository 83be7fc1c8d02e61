/// Bounded capture of a script's stdout and stderr, and the tail of both interleaved for the excerpt.
import Synchronization

/// Collects output chunks from concurrent readers, keeping at most `limit` bytes per stream.
final class ShellOutputCapture: Sendable {
    /// Which stream a chunk came from.
    enum Stream: Sendable {
        case standardOutput
        case standardError
    }

    private struct Bounded {
        var kept: [UInt8] = []
        var dropped = 0
    }

    private struct State {
        var standardOutput = Bounded()
        var standardError = Bounded()
        var tail: [UInt8] = []
    }

    private let limit: Int
    private let tailLimit: Int
    private let state = Mutex(State())

    /// Keeps `limit` bytes of each stream and the last `tailLimit` bytes of both together.
    init(limit: Int, tailLimit: Int) {
        self.limit = limit
        self.tailLimit = tailLimit
    }

    /// Records a chunk.
    func append(_ bytes: [UInt8], from stream: Stream) {
        state.withLock { state in
            switch stream {
            case .standardOutput: Self.keep(bytes, in: &state.standardOutput, limit: limit)
            case .standardError: Self.keep(bytes, in: &state.standardError, limit: limit)
            }
            state.tail.append(contentsOf: bytes.suffix(tailLimit))
            if state.tail.count > 2 * tailLimit {
                state.tail.removeFirst(state.tail.count - tailLimit)
            }
        }
    }

    /// A stream's text, with a marker saying how much was cut.
    func text(of stream: Stream) -> String {
        let bounded = state.withLock { stream == .standardOutput ? $0.standardOutput : $0.standardError }
        let text = String(decoding: bounded.kept, as: UTF8.self)
        return bounded.dropped == 0 ? text : text + "\n[truncated: \(bounded.dropped) more bytes]"
    }

    /// The last `tailLimit` bytes of stdout and stderr in arrival order, nil when there was none.
    var excerpt: String? {
        var tail = state.withLock { $0.tail }.suffix(tailLimit)
        guard !tail.isEmpty else { return nil }
        // Cutting may have split a character: drop its continuation bytes rather than print U+FFFD.
        while let first = tail.first, first & 0b1100_0000 == 0b1000_0000 { tail.removeFirst() }
        return String(decoding: tail, as: UTF8.self)
    }

    private static func keep(_ bytes: [UInt8], in bounded: inout Bounded, limit: Int) {
        let room = max(0, limit - bounded.kept.count)
        bounded.kept.append(contentsOf: bytes.prefix(room))
        bounded.dropped += max(0, bytes.count - room)
    }
}
