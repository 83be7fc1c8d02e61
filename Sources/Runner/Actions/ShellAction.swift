/// The `shell` action: runs a program with templated arguments, never through a shell.
import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `shell` actions: argv from templates, the canonical event on stdin, HARBINGER_* in the environment.
/// Exit 0 succeeds, 75 (EX_TEMPFAIL) retries, any other code fails; a timeout sends SIGTERM to the
/// program's process group, then SIGKILL after `gracePeriod`, and retries.
public struct ShellAction: ActionPlugin {
    /// The options it runs.
    public typealias Config = ShellActionConfig

    /// What one run produced, beyond its outcome.
    struct Run: Sendable {
        /// The attempt's outcome.
        var outcome: AttemptOutcome
        /// Standard output, at most `outputLimit` bytes and a truncation marker.
        var standardOutput: String
        /// Standard error, likewise bounded.
        var standardError: String
    }

    /// At most this much of each stream is kept.
    static let outputLimit = 64 * 1024
    /// The excerpt is this much of the end of both streams.
    static let excerptLimit = 1024
    /// The exit code that asks for a retry (EX_TEMPFAIL).
    static let retryExitCode: Int32 = 75

    private let gracePeriod: Duration

    /// Creates the plugin; a timed-out program gets `gracePeriod` between SIGTERM and SIGKILL.
    public init(gracePeriod: Duration = .seconds(5)) {
        self.gracePeriod = gracePeriod
    }

    /// Makes one attempt.
    public func run(_ config: ShellActionConfig, context: DeliveryContext) async -> AttemptOutcome {
        await execute(config, context: context).outcome
    }

    /// The program (command[0], rendered): runs of one script share its limit.
    public func concurrencyKey(_ config: ShellActionConfig, context: DeliveryContext) -> String {
        config.command.first?.render(context.event.event) ?? ""
    }

    /// The action's `concurrency`.
    public func concurrencyLimit(_ config: ShellActionConfig) -> Int? { config.concurrency }

    /// Runs the program once and keeps its output.
    func execute(_ config: ShellActionConfig, context: DeliveryContext) async -> Run {
        _ = brokenPipesIgnored
        let started = ContinuousClock.now
        let event = context.event.event
        let argv = config.command.map { $0.render(event) }
        guard let program = argv.first, !program.isEmpty else {
            return Run(outcome: AttemptOutcome(.failure, status: "cannot start: the command renders to an empty program"),
                       standardOutput: "", standardError: "")
        }
        let workdir = config.workdir.map { Self.absolute($0, in: FileManager.default.currentDirectoryPath) }
        let path = program.contains("/") ? Self.absolute(program, in: workdir ?? FileManager.default.currentDirectoryPath) : nil
        if let problem = Self.startProblem(program: program, path: path, workdir: workdir) {
            return Run(outcome: AttemptOutcome(.failure, status: "cannot start \(program): \(problem)"),
                       standardOutput: "", standardError: "")
        }
        let executable: Executable = path.map { .path(.init($0)) } ?? .name(program)
        var options = PlatformOptions()
        // Its own session, so the teardown reaches everything the program started (a `sleep` in a script).
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        let configuration = Configuration(
            executable: executable,
            arguments: Arguments(Array(argv.dropFirst())),
            environment: .inherit.updating(Self.environment(config, context: context)),
            workingDirectory: workdir.map { .init($0) },
            platformOptions: options
        )
        let capture = ShellOutputCapture(limit: Self.outputLimit, tailLimit: Self.excerptLimit)
        let stdin = Array((context.event.json + "\n").utf8)

        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask { await Self.spawn(configuration, program: program, stdin: stdin, capture: capture) }
            group.addTask {
                do {
                    try await Task.sleep(for: context.timeout)
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            switch first {
            case .timedOut, .cancelled:
                // Cancelling the run starts its teardown sequence; wait for it so nothing outlives the attempt.
                // The timer only ends `.cancelled` when the worker itself is cancelled (a shutdown).
                _ = await group.next()
                return first
            case .terminated, .notStarted:
                return first
            }
        }

        var outcome = Self.outcome(of: ending, timeout: context.timeout)
        outcome.excerpt = capture.excerpt
        outcome.duration = ContinuousClock.now - started
        let standardOutput = capture.text(of: .standardOutput), standardError = capture.text(of: .standardError)
        outcome.output = Self.history(standardOutput: standardOutput, standardError: standardError)
        return Run(outcome: outcome, standardOutput: standardOutput, standardError: standardError)
    }

    /// Both streams as the delivery history keeps them; nil when the script printed nothing.
    static func history(standardOutput: String, standardError: String) -> String? {
        var parts: [String] = []
        if !standardOutput.isEmpty { parts.append("--- stdout ---\n" + standardOutput) }
        if !standardError.isEmpty { parts.append("--- stderr ---\n" + standardError) }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    /// How a run ended.
    enum Ending: Sendable {
        case terminated(TerminationStatus)
        case notStarted(String)
        case timedOut
        case cancelled
    }

    private static func spawn(_ configuration: Configuration, program: String, stdin: [UInt8],
                              capture: ShellOutputCapture) async -> Ending {
        do {
            let result = try await Subprocess.run(configuration, input: .inputWriter, output: .sequence,
                                                  error: .sequence) { execution in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // A program that never reads stdin closes the pipe: that is its business, not an error.
                        _ = try? await execution.standardInputWriter.write(stdin)
                        _ = try? await execution.standardInputWriter.finish()
                    }
                    group.addTask {
                        _ = try? await drain(execution.standardOutput, into: capture, as: .standardOutput)
                    }
                    group.addTask {
                        _ = try? await drain(execution.standardError, into: capture, as: .standardError)
                    }
                }
            }
            return .terminated(result.terminationStatus)
        } catch let error as SubprocessError {
            if Task.isCancelled { return .cancelled }
            return .notStarted(describe(error, program: program))
        } catch {
            return Task.isCancelled ? .cancelled : .notStarted("\(error)")
        }
    }

    private static func drain(_ stream: SubprocessOutputSequence, into capture: ShellOutputCapture,
                              as kind: ShellOutputCapture.Stream) async throws {
        for try await buffer in stream {
            capture.append(buffer.withUnsafeBytes { Array($0) }, from: kind)
        }
    }

    private static func describe(_ error: SubprocessError, program: String) -> String {
        switch error.code {
        case .executableNotFound: "cannot start \(program): not found\(program.contains("/") ? "" : " in PATH")"
        case .failedToChangeWorkingDirectory: "cannot start \(program): cannot change to its workdir"
        default: "cannot start \(program): \(error)"
        }
    }

    /// Why a program at `path` (nil: looked up in PATH) cannot start, checked first for a clearer status.
    private static func startProblem(program: String, path: String?, workdir: String?) -> String? {
        var isDirectory: ObjCBool = false
        if let workdir {
            guard FileManager.default.fileExists(atPath: workdir, isDirectory: &isDirectory), isDirectory.boolValue else {
                return "workdir '\(workdir)' is not a directory"
            }
        }
        guard let path else { return nil }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "is a directory" }
        return FileManager.default.isExecutableFile(atPath: path) ? nil : "not executable"
    }

    private static func outcome(of ending: Ending, timeout: Duration) -> AttemptOutcome {
        switch ending {
        case .terminated(.exited(let code)) where code == 0:
            AttemptOutcome(.success, status: "exit 0")
        case .terminated(.exited(let code)) where code == retryExitCode:
            AttemptOutcome(.retry(after: nil), status: "exit \(code)")
        case .terminated(.exited(let code)):
            AttemptOutcome(.failure, status: "exit \(code)")
        case .terminated(.signaled(let signal)):
            AttemptOutcome(.failure, status: "killed by signal \(signal)")
        case .notStarted(let reason):
            AttemptOutcome(.failure, status: reason)
        case .timedOut:
            AttemptOutcome(.retry(after: nil), status: "timeout after \(timeout.attemptText)")
        case .cancelled:
            AttemptOutcome(.retry(after: nil), status: "cancelled")
        }
    }

    /// HARBINGER_* (empty for missing fields), then the action's own `env`, rendered.
    static func environment(_ config: ShellActionConfig, context: DeliveryContext) -> [Environment.Key: String?] {
        let event = context.event.event
        let values: [(String, String?)] = [
            ("HARBINGER_EVENT_ID", event.id), ("HARBINGER_DELIVERY_ID", context.delivery.id),
            ("HARBINGER_RULE", context.rule.name), ("HARBINGER_SOURCE", event.sourceName),
            ("HARBINGER_TYPE", event.type.rawValue), ("HARBINGER_REGISTRY", event.registry),
            ("HARBINGER_NAMESPACE", event.namespace), ("HARBINGER_REPOSITORY", event.repository),
            ("HARBINGER_TAG", event.tag), ("HARBINGER_DIGEST", event.digest), ("HARBINGER_IMAGE", event.image),
            ("HARBINGER_ACTOR", event.actor), ("HARBINGER_MEDIA_TYPE", event.mediaType),
            ("HARBINGER_ATTEMPT", String(context.delivery.attempts + 1)),
        ]
        var environment: [Environment.Key: String?] = [:]
        for (name, value) in values { environment[Environment.Key(stringLiteral: name)] = value ?? "" }
        for (name, template) in config.environment {
            environment[Environment.Key(stringLiteral: name)] = template.render(event)
        }
        return environment
    }

    /// `path` made absolute against `directory`.
    static func absolute(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}

/// Writing stdin to a program that has exited must be an error, not SIGPIPE killing the server
/// (NIO does the same on Linux).
private let brokenPipesIgnored: Void = {
    _ = signal(SIGPIPE, SIG_IGN)
}()
