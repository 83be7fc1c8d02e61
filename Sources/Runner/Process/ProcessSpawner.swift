/// Starts the `shell` action's programs with glibc's posix_spawn, several at once.
internal import CSpawn
import Foundation
import NIOPosix

/// Starts a program in its own session with three pipes and hands it to `ChildReactor`.
///
/// posix_spawn blocks its caller until the child has called exec, which on a busy machine takes
/// milliseconds; swift-subprocess makes every spawn of the process wait for one shared thread, which
/// capped `shell` actions at a few hundred a second (docs/decisions.md). Here a small pool of threads
/// spawns, so the waits overlap and the concurrency pool's threads never block.
enum ProcessSpawner {
    /// How many spawns may wait for their child's exec at once.
    static let threadCount = 8

    private static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
        return pool
    }()

    /// posix_spawn (or a pipe) failed: an errno value.
    struct Failure: Error, CustomStringConvertible {
        /// The errno value.
        let code: Int32
        /// The C library's text for it, in lower case as in the other start problems.
        var description: String { String(cString: strerror(code)).lowercased() }
    }

    /// The descriptors of a spawned child, before `ChildProcess` owns them.
    private struct Spawned: Sendable {
        var pid: pid_t
        var pidfd: Int32
        var standardInput: Int32
        var standardOutput: Int32
        var standardError: Int32
    }

    /// Starts the executable at `path` with `arguments` (argv[0] included) and `environment`, in
    /// `workdir` when given; writes `input` to its stdin and its output to `capture`.
    /// Throws `Failure`, or `CancellationError` when cancelled before it started.
    static func spawn(path: String, arguments: [String], environment: [String: String], workdir: String?,
                      input: [UInt8], capture: ShellOutputCapture,
                      reactor: ChildReactor = .shared) async throws -> ChildProcess {
        _ = brokenPipesIgnored
        let variables = environment.map { "\($0.key)=\($0.value)" }
        var attempt = 1
        let spawned: Spawned
        while true {
            do {
                spawned = try await threads.runIfActive {
                    try start(path: path, arguments: arguments, environment: variables, workdir: workdir)
                }
                break
            } catch let failure as Failure {
                guard failure.code == ETXTBSY, attempt < 5 else { throw failure }
                // The file was open for writing a moment ago (a script just written, whose descriptor
                // another spawn's child held until its exec): that passes within milliseconds.
                try await Task.sleep(for: .milliseconds(5 * attempt))
                attempt += 1
            }
        }
        return ChildProcess(pid: spawned.pid, pidfd: spawned.pidfd, standardInput: spawned.standardInput,
                            standardOutput: spawned.standardOutput, standardError: spawned.standardError,
                            input: input, capture: capture, reactor: reactor)
    }

    /// Creates the pipes and spawns; blocks until the child has called exec.
    private static func start(path: String, arguments: [String], environment: [String],
                              workdir: String?) throws(Failure) -> Spawned {
        // stdin, stdout, stderr, each [read, write]; the parent's end is non-blocking for the reactor.
        var pipes: [[Int32]] = [[-1, -1], [-1, -1], [-1, -1]]
        defer { for descriptor in pipes.joined() where descriptor >= 0 { close(descriptor) } }
        for (index, parentEnd) in [(0, Int32(1)), (1, 0), (2, 0)] {
            let rc = cspawn_pipe(&pipes[index], parentEnd)
            guard rc == 0 else { throw Failure(code: rc) }
        }
        var pid: pid_t = 0, pidfd: Int32 = -1
        let rc = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                cspawn_spawn(path, argv, envp, workdir, pipes[0][0], pipes[1][1], pipes[2][1], &pid, &pidfd)
            }
        }
        guard rc == 0 else { throw Failure(code: rc) }
        let spawned = Spawned(pid: pid, pidfd: pidfd, standardInput: pipes[0][1], standardOutput: pipes[1][0],
                              standardError: pipes[2][0])
        // The parent's ends belong to the ChildProcess now; the deferred close takes the ends the child got.
        pipes[0][1] = -1
        pipes[1][0] = -1
        pipes[2][0] = -1
        return spawned
    }

    /// `strings` as a NULL-terminated array of C strings, for the duration of `body`.
    private static func withCStrings<Result>(_ strings: [String],
                                             _ body: ([UnsafeMutablePointer<CChar>?]) -> Result) -> Result {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

/// Writing stdin to a program that has exited (the first write comes right after the spawn) must be an
/// error, not SIGPIPE killing the server (NIO does the same on Linux).
private let brokenPipesIgnored: Void = {
    _ = signal(SIGPIPE, SIG_IGN)
}()
