import Foundation
import Testing
@testable import Runner

/// Runs one `shell` action given as YAML options.
private func execute(_ options: String, event: Event = ActionFixture.event, attempts: Int = 0,
                     timeout: Duration = .seconds(20), gracePeriod: Duration = .seconds(5)) async throws -> ShellAction.Run {
    let (config, rule) = try ActionFixture.config("shell: " + options, as: ShellActionConfig.self)
    let context = ActionFixture.context(rule: rule, event: event, attempts: attempts, timeout: timeout)
    return await ShellAction(gracePeriod: gracePeriod).execute(config, context: context)
}

/// The lines of a file the script wrote.
private func lines(_ directory: URL, _ name: String) throws -> [String] {
    let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
}

@Test func theScriptReadsTheEventOnStdinAndItsFieldsFromTheEnvironment() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("observe.sh", """
        #!/bin/sh
        cat > "$OUT/stdin.json"
        env | grep '^HARBINGER_' | sort > "$OUT/env"
        echo "extra=$EXTRA" >> "$OUT/env"
        """, in: dir)
    var event = ActionFixture.event
    event.actor = nil
    let run = try await execute("{ command: [\"\(script)\"], env: { OUT: \"\(dir.path)\", EXTRA: \"{{repository}}\" } }",
                                event: event, attempts: 2)
    #expect(run.outcome.verdict == .success)
    #expect(run.outcome.status == "exit 0")
    let stdin = try String(contentsOf: dir.appendingPathComponent("stdin.json"), encoding: .utf8)
    #expect(stdin == event.json.serialized() + "\n")
    let environment = try lines(dir, "env")
    for expected in [
        "HARBINGER_EVENT_ID=evt-123", "HARBINGER_DELIVERY_ID=dlv-42", "HARBINGER_RULE=deploy",
        "HARBINGER_SOURCE=registry", "HARBINGER_TYPE=push", "HARBINGER_REGISTRY=registry.example.com",
        "HARBINGER_NAMESPACE=shop", "HARBINGER_REPOSITORY=shop/web", "HARBINGER_TAG=1.2.3",
        "HARBINGER_DIGEST=sha256:0123abcd", "HARBINGER_IMAGE=registry.example.com/shop/web:1.2.3",
        "HARBINGER_ACTOR=", "HARBINGER_MEDIA_TYPE=application/vnd.oci.image.manifest.v1+json",
        "HARBINGER_ATTEMPT=3", "extra=shop/web",
    ] {
        #expect(environment.contains(expected), "missing \(expected) in \(environment)")
    }
}

@Test func shellMetacharactersArriveAsLiteralArguments() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("args.sh", """
        #!/bin/sh
        for arg in "$@"; do printf '%s\\n' "$arg"; done > "$OUT/args"
        """, in: dir)
    let canary = dir.appendingPathComponent("canary").path
    let run = try await execute("""
        { command: ["\(script)", "; rm -rf /", "$(touch \(canary))", "`touch \(canary)`", "{{tag}} && echo pwned", "a  b", "*"],
          env: { OUT: "\(dir.path)" } }
        """)
    #expect(run.outcome.verdict == .success)
    #expect(try lines(dir, "args") == [
        "; rm -rf /", "$(touch \(canary))", "`touch \(canary)`", "1.2.3 && echo pwned", "a  b", "*",
    ])
    #expect(!FileManager.default.fileExists(atPath: canary))
}

@Test func aProgramNameIsLookedUpInPath() async throws {
    let run = try await execute("{ command: [echo, \"hello {{tag}}\"] }")
    #expect(run.outcome.verdict == .success)
    #expect(run.standardOutput == "hello 1.2.3\n")
}

@Test func aRelativeProgramRunsFromTheWorkdir() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    _ = try ActionFixture.script("where.sh", "#!/bin/sh\npwd\n", in: dir)
    let run = try await execute("{ command: [./where.sh], workdir: \"\(dir.path)\" }")
    #expect(run.outcome.verdict == .success)
    let printed = run.standardOutput.trimmingCharacters(in: .newlines)
    #expect(URL(fileURLWithPath: printed).resolvingSymlinksInPath().path == dir.resolvingSymlinksInPath().path)
}

@Test func exitCode75AsksForARetry() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("busy.sh", "#!/bin/sh\necho 'registry busy' >&2\nexit 75\n", in: dir)
    let run = try await execute("{ command: [\"\(script)\"] }")
    #expect(run.outcome.verdict == .retry(after: nil))
    #expect(run.outcome.status == "exit 75")
    #expect(run.outcome.excerpt == "registry busy\n")
}

@Test func anyOtherExitCodeFailsWithTheOutputAsExcerpt() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("fail.sh", "#!/bin/sh\necho 'deploying'\necho 'no such cluster' >&2\nexit 3\n", in: dir)
    let run = try await execute("{ command: [\"\(script)\"] }")
    #expect(run.outcome.verdict == .failure)
    #expect(run.outcome.status == "exit 3")
    #expect(run.standardOutput == "deploying\n")
    #expect(run.standardError == "no such cluster\n")
    let excerpt = try #require(run.outcome.excerpt)
    #expect(excerpt.contains("deploying") && excerpt.contains("no such cluster"))
}

@Test func aTimeoutKillsTheScriptAndEverythingItStartedAndRetries() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("hang.sh", """
        #!/bin/sh
        echo started
        sleep 60 &
        echo $! > "$OUT/sleep.pid"
        wait
        """, in: dir)
    let started = ContinuousClock.now
    let run = try await execute("{ command: [\"\(script)\"], env: { OUT: \"\(dir.path)\" } }", timeout: .seconds(1))
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(run.outcome.verdict == .retry(after: nil))
    #expect(run.outcome.status == "timeout after 1s")
    #expect(run.outcome.excerpt == "started\n")
    let pid = try #require(Int32(try lines(dir, "sleep.pid").first ?? ""))
    let deadline = ContinuousClock.now + .seconds(10)
    while isAlive(pid), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    #expect(!isAlive(pid), "the script's sleep \(pid) survived the timeout")
}

@Test func aTimedOutScriptGetsSIGTERMFirstAndMayCleanUp() async throws {
    // It traps SIGTERM, cleans up (writes a file) and exits; a SIGKILL first would leave no file. The grace
    // period is long, so the attempt ends well before it only if the script's own exit ended it.
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("tidy.sh", """
        #!/bin/sh
        trap 'echo cleaned > "$OUT/cleaned"; exit 3' TERM
        sleep 60 &
        wait
        """, in: dir)
    let started = ContinuousClock.now
    let run = try await execute("{ command: [\"\(script)\"], env: { OUT: \"\(dir.path)\" } }", timeout: .milliseconds(500),
                                gracePeriod: .seconds(30))
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(run.outcome.status == "timeout after 500ms")
    #expect(try lines(dir, "cleaned") == ["cleaned"])
}

@Test func aScriptIgnoringSIGTERMIsKilledAfterTheGracePeriod() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("stubborn.sh", "#!/bin/sh\ntrap '' TERM\nsleep 60\n", in: dir)
    let started = ContinuousClock.now
    let run = try await execute("{ command: [\"\(script)\"] }", timeout: .milliseconds(500), gracePeriod: .seconds(1))
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(run.outcome.verdict == .retry(after: nil))
    #expect(run.outcome.status == "timeout after 500ms")
}

@Test func cancellingTheAttemptTearsTheScriptDownAndWaitsForIt() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("linger.sh", "#!/bin/sh\necho $$ > \"$OUT/pid.tmp\"\nmv \"$OUT/pid.tmp\" \"$OUT/pid\"\nsleep 60\n", in: dir)
    let attempt = Task { try await execute("{ command: [\"\(script)\"], env: { OUT: \"\(dir.path)\" } }") }
    let deadline = ContinuousClock.now + .seconds(10)
    while (try? lines(dir, "pid")) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    attempt.cancel()
    let run = try await attempt.value
    #expect(run.outcome.verdict == .retry(after: nil))
    #expect(run.outcome.status == "cancelled")
    let pid = try #require(Int32(try lines(dir, "pid").first ?? ""))
    #expect(!isAlive(pid), "the script \(pid) outlived its cancelled attempt")
}

@Test func aBackgroundProcessHoldingTheOutputDoesNotHoldTheAttempt() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("detach.sh", """
        #!/bin/sh
        sleep 60 &
        echo $! > "$OUT/sleep.pid"
        echo done
        """, in: dir)
    let started = ContinuousClock.now
    let run = try await execute("{ command: [\"\(script)\"], env: { OUT: \"\(dir.path)\" } }")
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(run.outcome.status == "exit 0")
    #expect(run.standardOutput == "done\n")
    if let pid = Int32(try lines(dir, "sleep.pid").first ?? "") { kill(pid, SIGKILL) }
}

@Test func outputBeyond64KiBIsTruncatedWithAMarker() async throws {
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = try ActionFixture.script("loud.sh", """
        #!/bin/sh
        head -c 100000 /dev/zero | tr '\\0' 'x'
        echo done >&2
        """, in: dir)
    let run = try await execute("{ command: [\"\(script)\"] }")
    #expect(run.outcome.verdict == .success)
    #expect(run.standardOutput == String(repeating: "x", count: 65_536) + "\n[truncated: 34464 more bytes]")
    #expect(run.standardError == "done\n")
    let excerpt = try #require(run.outcome.excerpt)
    #expect(excerpt.utf8.count <= 1024)
    #expect(excerpt.contains("done") || excerpt.hasSuffix("xxxx"))
}

@Test func aProgramThatCannotStartFailsWithAClearStatus() async throws {
    let missing = try await execute("{ command: [harbinger-no-such-program-xyz] }")
    #expect(missing.outcome.verdict == .failure)
    #expect(missing.outcome.status == "cannot start harbinger-no-such-program-xyz: not found in PATH")
    let dir = try ActionFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let notExecutable = dir.appendingPathComponent("plain.txt")
    try "echo hi".write(to: notExecutable, atomically: true, encoding: .utf8)
    let denied = try await execute("{ command: [\"\(notExecutable.path)\"] }")
    #expect(denied.outcome.verdict == .failure)
    #expect(denied.outcome.status == "cannot start \(notExecutable.path): not executable")
    let noWorkdir = try await execute("{ command: [echo], workdir: /nonexistent/dir }")
    #expect(noWorkdir.outcome.status == "cannot start echo: workdir '/nonexistent/dir' is not a directory")
    let gone = try await execute("{ command: [\"\(dir.path)/gone.sh\"] }")
    #expect(gone.outcome.status == "cannot start \(dir.path)/gone.sh: no such file")
    let directory = try await execute("{ command: [\"\(dir.path)\"] }")
    #expect(directory.outcome.status == "cannot start \(dir.path): is a directory")
    // A relative path is found against the workdir.
    let script = dir.appendingPathComponent("hello.sh")
    try "#!/bin/sh\necho hello from $PWD\n".write(to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    let relative = try await execute("{ command: [./hello.sh], workdir: \"\(dir.path)\" }")
    #expect(relative.outcome.verdict == .success)
    #expect(relative.standardOutput == "hello from \(dir.path)\n")
}

@Test func runsOfOneProgramShareAConcurrencyKey() throws {
    let (config, rule) = try ActionFixture.config("shell: { command: [\"/opt/{{namespace}}/deploy.sh\", x], concurrency: 2 }",
                                                  as: ShellActionConfig.self)
    let action = ShellAction()
    #expect(action.concurrencyKey(config, context: ActionFixture.context(rule: rule)) == "/opt/shop/deploy.sh")
    #expect(action.concurrencyLimit(config) == 2)
}

/// True while `pid` exists and is not a zombie.
private func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state != "Z"
}
