import Foundation
import Testing
@testable import Runner

/// Spawns `arguments` (argv[0] an absolute path) and waits for it to exit.
private func run(_ arguments: [String], input: [UInt8] = [],
                 environment: [String: String] = ProcessInfo.processInfo.environment)
    async throws -> (ChildProcess.Termination, ShellOutputCapture, pid_t) {
    let capture = ShellOutputCapture(limit: ShellAction.outputLimit, tailLimit: ShellAction.excerptLimit)
    let child = try await ProcessSpawner.spawn(path: arguments[0], arguments: arguments, environment: environment,
                                               workdir: nil, input: input, capture: capture)
    return (await child.termination, capture, child.pid)
}

/// How many descriptors this process has open.
private func openDescriptors() throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
}

@Test func manyConcurrentRunsEachCaptureTheirOwnOutput() async throws {
    let results = try await withThrowingTaskGroup(of: (Int, ChildProcess.Termination, String, String).self) { group in
        var results: [(Int, ChildProcess.Termination, String, String)] = []
        for index in 0..<200 {
            if index >= 32, let result = try await group.next() { results.append(result) }
            group.addTask {
                let (ended, capture, _) = try await run(["/bin/sh", "-c", "echo out $0; echo err $0 >&2; exit $(($0 % 3))",
                                                         String(index)])
                return (index, ended, capture.text(of: .standardOutput), capture.text(of: .standardError))
            }
        }
        for try await result in group { results.append(result) }
        return results
    }
    #expect(results.count == 200)
    for (index, ended, output, error) in results {
        #expect(ended == .exited(Int32(index % 3)))
        #expect(output == "out \(index)\n")
        #expect(error == "err \(index)\n")
    }
}

@Test func finishedRunsLeaveNoDescriptorsOrZombiesBehind() async throws {
    _ = try await run(["/bin/true"])  // the reactor's and the spawning threads' own descriptors
    let before = try openDescriptors()
    var pids: [pid_t] = []
    for _ in 0..<100 {
        let (ended, _, pid) = try await run(["/bin/true"], input: Array("{}\n".utf8))
        #expect(ended == .exited(0))
        pids.append(pid)
    }
    // Other tests run alongside and open descriptors of their own: a leak would be hundreds.
    #expect(try openDescriptors() <= before + 16)
    for pid in pids {
        var status: Int32 = 0
        // Reaped already: waitpid knows no such child.
        #expect(waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD, "child \(pid) was not reaped")
    }
}

@Test func theReactorSleepsOnceItsRunsAreOver() async throws {
    // A reactor of this test's own, so that no other test's children keep it busy.
    let reactor = ChildReactor(watching: true, name: "test-idle-react")
    for _ in 0..<100 {
        let capture = ShellOutputCapture(limit: ShellAction.outputLimit, tailLimit: ShellAction.excerptLimit)
        let child = try await ProcessSpawner.spawn(path: "/bin/sh", arguments: ["/bin/sh", "-c", "echo out; echo err >&2"],
                                                   environment: ProcessInfo.processInfo.environment, workdir: nil,
                                                   input: Array("{}\n".utf8), capture: capture, reactor: reactor)
        #expect(await child.termination == .exited(0))
    }
    // Closing a descriptor is what stops epoll watching it: a pipe end or pidfd still watched after its
    // child ended would keep the reactor's thread spinning (a whole core), not asleep in epoll_wait.
    let ticks = try #require(try threadTicks(named: "test-idle-react"))
    try await Task.sleep(for: .seconds(1))
    let spent = try #require(try threadTicks(named: "test-idle-react")) - ticks
    #expect(spent < sysconf(Int32(_SC_CLK_TCK)) / 2, "the reactor used \(spent) ticks in a second")
}

/// User and system clock ticks of this process's thread of that name.
private func threadTicks(named wanted: String) throws -> Int? {
    for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") {
        guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
              name.trimmingCharacters(in: .newlines) == wanted,
              let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { continue }
        // After "pid (comm) ": state is field 3, utime and stime fields 14 and 15.
        let fields = stat[stat.index(end, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
    return nil
}

@Test func stdinLargerThanAPipeBufferArrivesWhole() async throws {
    let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
    let (ended, capture, _) = try await run(["/usr/bin/wc", "-c"], input: input)
    #expect(ended == .exited(0))
    #expect(capture.text(of: .standardOutput).trimmingCharacters(in: .whitespacesAndNewlines) == "1048576")
}

@Test func aProgramThatNeverReadsStdinIsNoError() async throws {
    let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
    let (ended, _, _) = try await run(["/bin/true"], input: input)
    #expect(ended == .exited(0))
}

@Test func aSignalThatEndsTheProgramIsReported() async throws {
    let (ended, _, _) = try await run(["/bin/sh", "-c", "kill -USR1 $$"])
    #expect(ended == .signaled(SIGUSR1))
}

@Test func theChildLeadsItsOwnSessionWithDefaultSignalsAndOnlyItsStandardDescriptors() async throws {
    // The server ignores SIGPIPE and its threads block signals; none of that, nor its descriptors, reaches the child.
    let (ended, capture, pid) = try await run(["/bin/sh", "-c", """
        cut -d' ' -f6 /proc/$$/stat
        grep -E '^Sig(Blk|Ign)' /proc/$$/status | cut -f2
        ls /proc/$$/fd
        """])
    #expect(ended == .exited(0))
    let lines = capture.text(of: .standardOutput).split(separator: "\n").map(String.init)
    #expect(lines.first == String(pid))
    #expect(lines.dropFirst().first == "0000000000000000")
    let ignored = try #require(UInt64(lines.dropFirst(2).first ?? "", radix: 16))
    #expect(ignored & (1 << (SIGPIPE - 1)) == 0)
    #expect(Array(lines.dropFirst(3)) == ["0", "1", "2"])
}

@Test func aProcessLeftWritingAfterTheExitCannotHoldTheRunOpen() async throws {
    let capture = ShellOutputCapture(limit: ShellAction.outputLimit, tailLimit: ShellAction.excerptLimit)
    let child = try await ProcessSpawner.spawn(path: "/bin/sh", arguments: ["/bin/sh", "-c", "yes & sleep 0.2"],
                                               environment: ProcessInfo.processInfo.environment, workdir: nil,
                                               input: [], capture: capture)
    let ended = await child.termination
    child.signalGroup(SIGKILL)
    #expect(ended == .exited(0))
    #expect(capture.text(of: .standardOutput).hasPrefix("y\ny\ny\n"))
}

@Test func aChildWhoseDescriptorsCannotBeWatchedStillEndsWithItsOutput() async throws {
    // As when epoll_ctl fails (ENOMEM): nothing is watched, and a thread per child waits for its exit.
    let reactor = ChildReactor(watching: false)
    let capture = ShellOutputCapture(limit: ShellAction.outputLimit, tailLimit: ShellAction.excerptLimit)
    let child = try await ProcessSpawner.spawn(path: "/bin/sh", arguments: ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"],
                                               environment: ProcessInfo.processInfo.environment, workdir: nil,
                                               input: Array("{}\n".utf8), capture: capture, reactor: reactor)
    #expect(await child.termination == .exited(3))
    #expect(capture.text(of: .standardOutput) == "out\n")
    #expect(capture.text(of: .standardError) == "err\n")
    // Reaped: no zombie is left behind.
    #expect(waitpid(child.pid, nil, WNOHANG) == -1)
}

@Test(.timeLimit(.minutes(1)))
func stdinThatFitsInThePipeIsWrittenAtTheSpawnWithoutTheReactor() async throws {
    // Nothing is watched here, so a program reading stdin gets its input only if the spawn wrote and closed it.
    let reactor = ChildReactor(watching: false)
    let capture = ShellOutputCapture(limit: ShellAction.outputLimit, tailLimit: ShellAction.excerptLimit)
    let event = #"{"id":"e1","repository":"team/app"}"# + "\n"
    let child = try await ProcessSpawner.spawn(path: "/bin/cat", arguments: ["/bin/cat"],
                                               environment: ProcessInfo.processInfo.environment, workdir: nil,
                                               input: Array(event.utf8), capture: capture, reactor: reactor)
    // Unwritten, cat would wait for ever: 10 s, then it is killed and the test fails.
    let ended = await withTaskGroup(of: ChildProcess.Termination?.self) { group in
        group.addTask { await child.termination }
        group.addTask { try? await Task.sleep(for: .seconds(10)); return nil }
        let first = await group.next() ?? nil
        if first == nil { child.signalGroup(SIGKILL) }
        group.cancelAll()
        return first
    }
    #expect(ended == .exited(0))
    #expect(capture.text(of: .standardOutput) == event)
}
