/// The `shell` action: runs a program with templated arguments, never through a shell.
import Foundation

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
        let started = ContinuousClock.now
        let event = context.event.event
        let argv = config.command.map { $0.render(event) }
        guard let program = argv.first, !program.isEmpty else {
            return Run(outcome: AttemptOutcome(.failure, status: "cannot start: the command renders to an empty program"),
                       standardOutput: "", standardError: "")
        }
        let workdir = config.workdir.map { Self.absolute($0, in: FileManager.default.currentDirectoryPath) }
        let environment = Self.inheritedEnvironment.merging(Self.environment(config, context: context)) { $1 }
        let executable: String
        switch Self.locate(program, workdir: workdir, searchPath: environment["PATH"]) {
        case .success(let path): executable = path
        case .failure(let problem):
            return Run(outcome: AttemptOutcome(.failure, status: "cannot start \(program): \(problem.reason)"),
                       standardOutput: "", standardError: "")
        }
        let capture = ShellOutputCapture(limit: Self.outputLimit, tailLimit: Self.excerptLimit)
        let ending: Ending
        do {
            let child = try await ProcessSpawner.spawn(path: executable, arguments: argv, environment: environment,
                                                       workdir: workdir, input: Array((context.event.json + "\n").utf8),
                                                       capture: capture)
            ending = await wait(for: child, timeout: context.timeout)
        } catch let failure as ProcessSpawner.Failure {
            ending = .notStarted("cannot start \(program): \(failure)")
        } catch {
            ending = .cancelled  // cancelled before it started
        }

        var outcome = Self.outcome(of: ending, timeout: context.timeout)
        outcome.excerpt = capture.excerpt
        outcome.duration = ContinuousClock.now - started
        let standardOutput = capture.text(of: .standardOutput), standardError = capture.text(of: .standardError)
        outcome.output = Self.history(standardOutput: standardOutput, standardError: standardError)
        return Run(outcome: outcome, standardOutput: standardOutput, standardError: standardError)
    }

    /// Waits for the child to exit, or tears it down on timeout or cancellation (a shutdown) and waits for that.
    private func wait(for child: ChildProcess, timeout: Duration) async -> Ending {
        await withTaskGroup(of: Ending.self) { group in
            group.addTask { .terminated(await child.termination) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let first = await group.next() ?? .cancelled
            if case .terminated = first {} else {
                // Not a child task: a shutdown's cancellation must not cut the grace period short.
                await Task { await child.tearDown(gracePeriod: gracePeriod) }.value
            }
            // The termination task ends once the child has exited, so nothing outlives the attempt.
            group.cancelAll()
            return first
        }
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
        /// The program exited or a signal ended it.
        case terminated(ChildProcess.Termination)
        /// It could not start, for this status.
        case notStarted(String)
        /// The attempt's timeout passed; it was torn down.
        case timedOut
        /// The worker was cancelled (a shutdown); it was torn down, or never started.
        case cancelled
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
        case .terminated(.unknown):
            AttemptOutcome(.failure, status: "exit status unknown")
        case .notStarted(let reason):
            AttemptOutcome(.failure, status: reason)
        case .timedOut:
            AttemptOutcome(.retry(after: nil), status: "timeout after \(timeout.attemptText)")
        case .cancelled:
            AttemptOutcome(.retry(after: nil), status: "cancelled")
        }
    }

    /// The server's own environment, which every program inherits: read once, since building it
    /// from `environ` on every attempt was a visible part of a shell delivery's cost.
    static let inheritedEnvironment = ProcessInfo.processInfo.environment

    /// HARBINGER_* (empty for missing fields), then the action's own `env`, rendered.
    static func environment(_ config: ShellActionConfig, context: DeliveryContext) -> [String: String] {
        let event = context.event.event
        var environment: [String: String] = [
            "HARBINGER_EVENT_ID": event.id, "HARBINGER_DELIVERY_ID": context.delivery.id,
            "HARBINGER_RULE": context.rule.name, "HARBINGER_SOURCE": event.sourceName,
            "HARBINGER_TYPE": event.type.rawValue, "HARBINGER_REGISTRY": event.registry ?? "",
            "HARBINGER_NAMESPACE": event.namespace ?? "", "HARBINGER_REPOSITORY": event.repository,
            "HARBINGER_TAG": event.tag ?? "", "HARBINGER_DIGEST": event.digest ?? "", "HARBINGER_IMAGE": event.image,
            "HARBINGER_ACTOR": event.actor ?? "", "HARBINGER_MEDIA_TYPE": event.mediaType ?? "",
            "HARBINGER_ATTEMPT": String(context.delivery.attempts + 1),
        ]
        for (name, template) in config.environment {
            environment[name] = template.render(event)
        }
        return environment
    }
}

