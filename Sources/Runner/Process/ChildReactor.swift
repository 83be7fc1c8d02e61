/// The one thread that watches every running child: its exit (a pidfd) and its pipes, with epoll.
internal import CSpawn
import Foundation
import Synchronization

/// Delivers the events of all children's pidfds and pipes to their `ChildProcess`, on one thread.
///
/// A thread of its own (not a task) because it blocks in `epoll_wait`; one for all children, so a
/// hundred running scripts cost one thread, not three hundred.
final class ChildReactor: Sendable {
    /// The reactor every child registers with; its thread starts with the first child.
    static let shared = ChildReactor()

    /// What a descriptor of a child is, in the low bits of its epoll token.
    enum Role: UInt64, Sendable {
        /// The pidfd: readable once the child has exited.
        case exit = 0
        /// The parent's end of the child's stdin.
        case standardInput = 1
        /// The parent's end of the child's stdout.
        case standardOutput = 2
        /// The parent's end of the child's stderr.
        case standardError = 3
    }

    private let epoll: Int32
    private let children = Mutex<[UInt64: ChildProcess]>([:])
    private let nextSerial = Atomic<UInt64>(1)

    private init() {
        epoll = cspawn_epoll_create()
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        let thread = Thread { [self] in run() }
        thread.name = "harbinger-children"
        thread.start()
    }

    /// Starts watching `child`'s descriptors; its events arrive in `ChildProcess.handle`.
    func register(_ child: ChildProcess, descriptors: [(Role, Int32)]) {
        children.withLock { $0[child.serial] = child }
        for (role, descriptor) in descriptors {
            let rc = cspawn_epoll_add(epoll, descriptor, role == .standardInput ? 1 : 0, child.serial << 2 | role.rawValue)
            // Only ENOMEM or a bad descriptor can fail here; the exit event still ends the child.
            assert(rc == 0, "epoll_ctl failed: errno \(rc)")
        }
    }

    /// A serial for a new child's tokens.
    func serial() -> UInt64 { nextSerial.add(1, ordering: .relaxed).oldValue }

    /// Stops watching `descriptor`; the caller closes it.
    func remove(_ descriptor: Int32) { cspawn_epoll_remove(epoll, descriptor) }

    private func run() {
        var tokens = [UInt64](repeating: 0, count: 64)
        // Reused for every read: pipe output is copied into the capture, never kept here.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        while true {
            let count = tokens.withUnsafeMutableBufferPointer { cspawn_epoll_wait(epoll, $0.baseAddress, Int32($0.count)) }
            if count < 0 { continue }  // EINTR; nothing else can fail on a valid epoll descriptor
            for token in tokens.prefix(Int(count)) {
                let serial = token >> 2, role = Role(rawValue: token & 3) ?? .exit
                // A late event for a child that already ended finds nothing and is dropped.
                guard let child = children.withLock({ $0[serial] }) else { continue }
                if child.handle(role, buffer: buffer) {
                    children.withLock { _ = $0.removeValue(forKey: serial) }
                }
            }
        }
    }
}
