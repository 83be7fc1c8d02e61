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

    private convenience init() {
        self.init(watching: true)
    }

    /// A reactor; `watching: false` (for tests) has no epoll, so every registration fails as when the
    /// kernel refuses epoll memory, and each child is ended by its own waiting thread.
    /// A watching reactor's thread is named `name` (15 bytes at most) for the kernel: `top -H`, `perf`.
    init(watching: Bool, name: String = "harbinger-react") {
        guard watching else {
            epoll = -1
            return
        }
        epoll = cspawn_epoll_create()
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        let thread = Thread { [self] in run(name: name) }
        thread.start()
    }

    /// Starts watching `child`'s descriptors; its events arrive in `ChildProcess.handle`.
    func register(_ child: ChildProcess, descriptors: [(Role, Int32)]) {
        children.withLock { $0[child.serial] = child }
        var unwatched = false
        for (role, descriptor) in descriptors {
            // The pidfd comes last: once a pipe is not watched it is not added at all (see below). Added,
            // its exit event could close every descriptor before this loop ends, and a later epoll_ctl
            // would reach whatever reused the number.
            if unwatched && role == .exit { continue }
            let rc = cspawn_epoll_add(epoll, descriptor, role == .standardInput ? 1 : 0, child.serial << 2 | role.rawValue)
            // The kernel's epoll limits (ENOMEM, ENOSPC), or no epoll at all (EBADF, in tests). The
            // attempt must still end: see below.
            if rc != 0 { unwatched = true }
        }
        guard unwatched, let pidfd = descriptors.first(where: { $0.0 == .exit })?.1 else { return }
        // Some descriptor is not watched: a thread of this child's own waits for its exit and ends
        // it as the exit event would, reading what the pipes hold then; it alone ends the child, so
        // the pidfd is not closed under it. A child that fills an unwatched pipe blocks until its
        // timeout kills it: the attempt cannot hang for ever.
        let serial = child.serial
        let waiter = Thread { [self] in
            cspawn_name_thread("harbinger-wait")
            _ = cspawn_wait_exit(pidfd)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { buffer.deallocate() }
            guard let child = children.withLock({ $0[serial] }), child.handle(.exit, buffer: buffer) else { return }
            children.withLock { _ = $0.removeValue(forKey: serial) }
        }
        waiter.start()
    }

    /// A serial for a new child's tokens.
    func serial() -> UInt64 { nextSerial.add(1, ordering: .relaxed).oldValue }

    private func run(name: String) {
        // Foundation's `Thread.name` does not reach the kernel on Linux.
        cspawn_name_thread(name)
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
