/// A blob's bytes on their way from one registry to another, hashed as they pass.
import AsyncHTTPClient
import Crypto
import NIOCore
import Synchronization

/// Wraps a response body so that what is read from it is hashed; `digest` is set once it ends.
/// Nothing is buffered beyond the chunk in hand, so a blob of any size streams in constant memory.
struct DigestingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// The running hash and byte count, read after the upload.
    final class Tally: Sendable {
        private let state = Mutex<(hash: SHA256, bytes: Int64, digest: String?)>((SHA256(), 0, nil))

        fileprivate func add(_ buffer: ByteBuffer) {
            state.withLock { state in
                buffer.withUnsafeReadableBytes { state.hash.update(bufferPointer: $0) }
                state.bytes += Int64(buffer.readableBytes)
            }
        }

        fileprivate func finish() {
            state.withLock { state in
                if state.digest == nil { state.digest = "sha256:" + state.hash.finalize().hex }
            }
        }

        /// `sha256:<hex>` of everything read, once the body has ended.
        var digest: String? { state.withLock { $0.digest } }
        /// How many bytes were read.
        var bytes: Int64 { state.withLock { $0.bytes } }
    }

    let base: HTTPClientResponse.Body
    let tally: Tally

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let tally: Tally

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else {
                tally.finish()
                return nil
            }
            tally.add(chunk)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), tally: tally)
    }
}
