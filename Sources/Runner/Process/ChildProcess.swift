/// A running child of the server: feeds its stdin, captures its output, reaps it, signals its group.
internal import CSpawn
import Foundation
import Synchronization

/// A program `ProcessSpawner` started, watched by `ChildReactor` until it exits.
///
/// Once it is registered, its descriptors are read, written and closed only on the reactor's thread (the
/// first write to stdin comes before, in `init`); the lock makes the state visible to the tasks that wait
/// for the exit.
final class ChildProcess: Sendable {
    /// How a child ended.
    enum Termination: Sendable, Equatable {
        /// It exited with this code.
        case exited(Int32)
        /// This signal ended it.
        case signaled(Int32)
        /// It exited, but something else in the server reaped it first.
        case unknown
    }

    private struct State {
        var pidfd: Int32
        var standardInput: Int32?
        var standardOutput: Int32?
        var standardError: Int32?
        /// What is left to write to stdin.
        var input: [UInt8]
        var written = 0
        var termination: Termination?
        var waiters: [CheckedContinuation<Termination, Never>] = []
    }

    /// The child's process id, which is also its session and process group id.
    let pid: pid_t
    /// Tells this child's events apart in the reactor.
    let serial: UInt64
    private let capture: ShellOutputCapture
    private let state: Mutex<State>

    /// Takes over a spawned child's pidfd and the parent's ends of its three pipes, and starts watching them.
    init(pid: pid_t, pidfd: Int32, standardInput: Int32, standardOutput: Int32, standardError: Int32,
         input: [UInt8], capture: ShellOutputCapture, reactor: ChildReactor = .shared) {
        self.pid = pid
        self.capture = capture
        serial = reactor.serial()
        var initial = State(pidfd: pidfd, standardInput: standardInput, standardOutput: standardOutput,
                            standardError: standardError, input: input)
        // An event fits in the pipe's buffer: written now, stdin is closed before the reactor would
        // have woken up just to write it. Only what does not fit waits for the reactor.
        Self.write(&initial)
        state = Mutex(initial)
        // The exit event closes all four descriptors, so the pidfd goes last: a pipe added after it
        // could already be closed, or its number reused.
        var descriptors: [(ChildReactor.Role, Int32)] = [(.standardOutput, standardOutput), (.standardError, standardError),
                                                         (.exit, pidfd)]
        if let unwritten = initial.standardInput { descriptors.insert((.standardInput, unwritten), at: 0) }
        reactor.register(self, descriptors: descriptors)
    }

    /// How the child ended, once it has (its output read up to then is in the capture).
    var termination: Termination {
        get async {
            await withCheckedContinuation { continuation in
                let ended = state.withLock { state -> Termination? in
                    if state.termination == nil { state.waiters.append(continuation) }
                    return state.termination
                }
                if let ended { continuation.resume(returning: ended) }
            }
        }
    }

    /// Sends `signal` to the child's process group: it and whatever it started.
    func signalGroup(_ signal: Int32) {
        // After the child is reaped its id stays reserved while the group has members, so this
        // can only reach what it left behind.
        _ = kill(-pid, signal)
    }

    /// SIGTERM to the group, then SIGKILL once `gracePeriod` passes without the child exiting;
    /// returns when it has exited. Nothing is sent to a child that already exited.
    func tearDown(gracePeriod: Duration) async {
        guard state.withLock({ $0.termination == nil }) else { return }
        signalGroup(SIGTERM)
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = await self.termination; return true }
            group.addTask { (try? await Task.sleep(for: gracePeriod)) == nil }
            if await group.next() == false { signalGroup(SIGKILL) }
            group.cancelAll()
        }
    }

    /// Handles an event on the reactor's thread; true when the child is finished with.
    func handle(_ role: ChildReactor.Role, buffer: UnsafeMutableRawBufferPointer) -> Bool {
        let (finished, waiters) = state.withLock { state -> (Termination?, [CheckedContinuation<Termination, Never>]) in
            switch role {
            case .standardInput: Self.write(&state)
            case .standardOutput: state.standardOutput = read(state.standardOutput, as: .standardOutput, into: buffer)
            case .standardError: state.standardError = read(state.standardError, as: .standardError, into: buffer)
            case .exit:
                guard state.termination == nil, let ended = reap(state.pidfd) else { return (nil, []) }
                // What it wrote before exiting is in the pipes; a background process it left holding
                // them open must not keep the attempt going, so read what is there and stop.
                state.standardOutput = read(state.standardOutput, as: .standardOutput, into: buffer, untilEmpty: true)
                state.standardError = read(state.standardError, as: .standardError, into: buffer, untilEmpty: true)
                for descriptor in [state.standardInput, state.standardOutput, state.standardError, state.pidfd] {
                    if let descriptor { Self.closeWatched(descriptor) }
                }
                state.standardInput = nil
                state.standardOutput = nil
                state.standardError = nil
                state.termination = ended
                defer { state.waiters = [] }
                return (ended, state.waiters)
            }
            return (nil, [])
        }
        guard let finished else { return false }
        for waiter in waiters { waiter.resume(returning: finished) }
        return true
    }

    /// Writes what stdin can take now; closes it when all is written or the child stopped reading.
    private static func write(_ state: inout State) {
        guard let descriptor = state.standardInput else { return }
        while state.written < state.input.count {
            let count = state.input.withUnsafeBytes { bytes in
                Glibc.write(descriptor, bytes.baseAddress! + state.written, bytes.count - state.written)
            }
            if count > 0 { state.written += count; continue }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == EAGAIN { return }
            break  // EPIPE: a program that does not read stdin is its own business, not an error
        }
        closeWatched(descriptor)
        state.standardInput = nil
        state.input = []
    }

    /// Reads what `descriptor` has now into the capture; nil once it is at its end (and closed).
    /// `untilEmpty` (the child has exited) also closes it when nothing more is there, or after 1 MiB,
    /// the most a pipe can hold: a process it left behind may keep writing.
    private func read(_ descriptor: Int32?, as stream: ShellOutputCapture.Stream,
                      into buffer: UnsafeMutableRawBufferPointer, untilEmpty: Bool = false) -> Int32? {
        guard let descriptor else { return nil }
        // A few reads per event, so one loud child cannot keep the reactor from the others.
        var reads = untilEmpty ? (1 << 20) / buffer.count : 4
        while reads > 0 {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                capture.append(Array(UnsafeRawBufferPointer(rebasing: buffer[..<count])), from: stream)
                reads -= 1
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == EAGAIN && !untilEmpty { return descriptor }
            break
        }
        if reads == 0 && !untilEmpty { return descriptor }  // more next time epoll reports it
        Self.closeWatched(descriptor)
        return nil
    }

    /// Reaps the exited child behind `pidfd`; nil if it has not exited after all.
    private func reap(_ pidfd: Int32) -> Termination? {
        var exited: Int32 = 0, value: Int32 = 0
        switch cspawn_reap(pidfd, &exited, &value) {
        case 0: return exited != 0 ? .exited(value) : .signaled(value)
        case EAGAIN: return nil
        // ECHILD: reaped elsewhere. Ending here keeps a pidfd that stays readable from spinning the reactor.
        default: return .unknown
        }
    }

    /// Closing is enough to stop watching: epoll forgets a pipe end or pidfd once its last descriptor is
    /// closed, and ours is the last (close-on-exec). A child being spawned at that moment still holds a
    /// copy until its closefrom, a few microseconds: the reactor may see the closed descriptor's events
    /// until then, which it drops (the token's serial, or a nil descriptor in the state). Three
    /// `epoll_ctl` calls less a run.
    private static func closeWatched(_ descriptor: Int32) {
        close(descriptor)
    }
}
