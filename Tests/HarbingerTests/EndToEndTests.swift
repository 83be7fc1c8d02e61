import Foundation
import Testing

/// `harbinger serve` against real programs: Debian's docker-registry, skopeo, a recording HTTP
/// receiver and real scripts, all on 127.0.0.1.
@Suite(.serialized)
struct EndToEndTests {
    static let shared = Executable.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/e2e")
    static let fixtures = Executable.packageRoot.appendingPathComponent("Tests/RouterTests/Fixtures")

    /// Writes a rules file and starts the server on it.
    static func serve(_ rules: String, in dir: URL, arguments: [String] = []) throws -> ServerProcess {
        let file = dir.appendingPathComponent("rules.yml")
        try rules.write(to: file, atomically: true, encoding: .utf8)
        return try ServerProcess(rules: file, directory: dir, arguments: arguments)
    }

    /// POSTs a file to a hook, with an Authorization header when given; returns the status code.
    static func post(_ file: URL, to url: String, contentType: String = "application/vnd.docker.distribution.events.v1+json",
                     authorization: String? = nil) throws -> Int {
        let out = try Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: \(contentType)",
        ] + (authorization.map { ["-H", "Authorization: \($0)"] } ?? []) + ["--data-binary", "@\(file.path)", url])
        return Int(out.stdout) ?? 0
    }

    /// Writes an executable script.
    static func script(_ text: String, at file: URL) throws {
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }

    /// The captured Distribution push (team/app:1.0) as a file in `dir` with event id `id`, and `tag` if given.
    static func push(id: String, tag: String? = nil, in dir: URL) throws -> URL {
        let file = dir.appendingPathComponent("push-\(id).json")
        var text = try String(contentsOf: fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json"), encoding: .utf8)
            .replacingOccurrences(of: "f184491d-051c-4e6f-80f4-4fd27dfb8492", with: id)
        if let tag { text = text.replacingOccurrences(of: "\"tag\": \"1.0\"", with: "\"tag\": \"\(tag)\"") }
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Posts `count` distinct pushes (ids `name-NNNNNN`, tags `tNNN`) from 8 threads with
    /// Support/burst.py and expects every one accepted; the accepted ids go to `name.txt` in `dir`.
    static func burst(_ count: Int, to server: ServerProcess, name: String, in dir: URL) throws {
        let out = try Executable.run(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Executable.packageRoot.appendingPathComponent("Tests/HarbingerTests/Support/burst.py").path,
            "\(server.base)/hooks/registry", fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json").path,
            "\(count)", "8", dir.appendingPathComponent("\(name).txt").path, name,
        ])
        #expect(out.stdout.contains("accepted \(count) "), "\(out.stdout)")
    }

    /// `harbinger deliveries --json` against the server's store.
    static func deliveries(_ server: ServerProcess) throws -> [[String: Any]] {
        let out = try Executable.harbinger("deliveries", "--store", server.store, "--json", "--limit", "100000")
        return out.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Runs a script of ../shared/e2e. Through Python with close_fds, so a server the script leaves
    /// running does not inherit the descriptor Foundation's Process watches for the exit (it would
    /// then wait for the server too).
    static func run(_ script: String, _ arguments: [String]) throws -> Executable.Output {
        let launcher = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)"
        return try Executable.run(URL(fileURLWithPath: "/usr/bin/env"),
                                  ["python3", "-c", launcher, "bash", shared.appendingPathComponent(script).path] + arguments)
    }

    @Test func aPushToARealRegistryRunsTheScriptAndTheHTTPCallAndBlobEventsRunNothing() throws {
        let dir = try Loopback.temporaryDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try Receiver(directory: dir)
        defer { receiver.stop() }
        let script = dir.appendingPathComponent("record.sh")
        try Self.script("#!/bin/sh\necho \"$1 $2 $HARBINGER_TYPE\" >> \"$(dirname \"$0\")/pushed.txt\"\necho \"recorded $1\"\necho warning >&2\n", at: script)
        let server = try Self.serve("""
            version: 1
            sources:
              - { name: registry, kind: distribution }
            rules:
              - name: record
                when: { event: push, repository: "team/**" }
                do:
                  - shell: { command: ["\(script.path)", "{{repository}}", "{{tag}}"] }
              - name: notify
                when: { event: push }
                do:
                  - http: { url: "http://127.0.0.1:\(receiver.port)/hook?image={{image}}" }
            """, in: dir)
        defer { server.child.stop() }
        let registryDir = dir.appendingPathComponent("registry")
        let registryPort = Loopback.freePort()
        let started = try Self.run("registry.sh", ["start", registryDir.path, "\(registryPort)", "--notify", "\(server.base)/hooks/registry"])
        #expect(started.status == 0, "\(started.stderr)")
        defer { _ = try? Self.run("registry.sh", ["stop", registryDir.path]) }
        let layout = dir.appendingPathComponent("layout").path
        let image = try Self.run("make-image.sh", [layout, "v1"])
        #expect(image.status == 0, "\(image.stderr)")
        let push = try Executable.run(URL(fileURLWithPath: "/usr/bin/skopeo"), [
            "copy", "--dest-tls-verify=false", "oci:\(layout):v1", "docker://127.0.0.1:\(registryPort)/team/app:v1",
        ])
        #expect(push.status == 0, "\(push.stderr)")

        let pushed = dir.appendingPathComponent("pushed.txt")
        #expect(Loopback.waitFor(seconds: 30) { ((try? String(contentsOf: pushed, encoding: .utf8)) ?? "").contains("team/app v1 push") })
        #expect(Loopback.waitFor(seconds: 30) { receiver.requests.contains { $0.path == "/hook?image=127.0.0.1:\(registryPort)/team/app:v1" } })
        // Blob pushes and pulls reached the server too, but only the manifest push made deliveries.
        #expect(Loopback.waitFor(seconds: 10) { ((try? Self.deliveries(server)) ?? []).allSatisfy { $0["state"] as? String == "succeeded" } })
        let deliveries = try Self.deliveries(server)
        #expect(deliveries.count == 2, "\(deliveries)")
        #expect(Set(deliveries.compactMap { $0["rule"] as? String }) == ["record", "notify"])
        // The script's output is kept in the history.
        let recordID = try #require(deliveries.first { $0["rule"] as? String == "record" }?["id"] as? String)
        let shown = try Executable.harbinger("deliveries", "--store", server.store, "--id", recordID).stdout
        #expect(shown.contains("attempt 1 at "))
        #expect(shown.contains("exit 0 (success)"))
        #expect(shown.contains("  --- stdout ---\n  recorded team/app\n  \n  --- stderr ---\n  warning"), "\(shown)")
        let request = try #require(receiver.requests.first)
        #expect(request.header("webhook-id") == deliveries.first { $0["rule"] as? String == "notify" }?["id"] as? String)
        #expect(request.header("X-Harbinger-Event-Id") != nil)
    }

    @Test func aReceiverAnswering503ThenSucceedsIsDeliveredOnceAfterARetry() throws {
        let dir = try Loopback.temporaryDirectory("retry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let flaky = try Receiver(directory: dir, statuses: "503,200")
        defer { flaky.stop() }
        let refusing = try Receiver(directory: dir, statuses: "400")
        defer { refusing.stop() }
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: flaky
                when: { event: push }
                retry: { attempts: 5, backoff: 100ms, max_backoff: 500ms }
                do: [{ http: { url: "http://127.0.0.1:\(flaky.port)/flaky" } }]
              - name: refusing
                when: { event: push }
                retry: { attempts: 5, backoff: 100ms, max_backoff: 500ms }
                do: [{ http: { url: "http://127.0.0.1:\(refusing.port)/refusing" } }]
            """, in: dir)
        defer { server.child.stop() }
        let payload = Self.fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json")
        #expect(try Self.post(payload, to: "\(server.base)/hooks/registry") == 202)
        #expect(Loopback.waitFor(seconds: 30) {
            let states = ((try? Self.deliveries(server)) ?? []).compactMap { $0["state"] as? String }
            return states.sorted() == ["failed", "succeeded"]
        })
        let deliveries = try Self.deliveries(server)
        let flakyDelivery = try #require(deliveries.first { $0["rule"] as? String == "flaky" })
        #expect(flakyDelivery["attempts"] as? Int == 2)
        #expect(flakyDelivery["last_status"] as? String == "HTTP 200")
        #expect(flaky.requests.count == 2)
        #expect(Set(flaky.requests.compactMap { $0.header("webhook-id") }).count == 1)
        let refused = try #require(deliveries.first { $0["rule"] as? String == "refusing" })
        #expect(refused["attempts"] as? Int == 1)
        #expect(refused["last_status"] as? String == "HTTP 400")
        #expect(refusing.requests.count == 1)
        // The registry retrying the same notification gets 200 and no second delivery.
        #expect(try Self.post(payload, to: "\(server.base)/hooks/registry") == 200)
        #expect(try Self.deliveries(server).count == 2)
    }

    @Test func aReceiverThatKeepsFailingGetsTheRulesOrTheDefaultAttemptsThenTheDeliveryIsDead() throws {
        let dir = try Loopback.temporaryDirectory("dead")
        defer { try? FileManager.default.removeItem(at: dir) }
        let down = try Receiver(directory: dir, statuses: "503")
        defer { down.stop() }
        // `own` has its own policy (3 attempts); `inherits` has none and takes the defaults' (2).
        let server = try Self.serve("""
            version: 1
            defaults: { retry: { attempts: 2, backoff: 100ms, max_backoff: 200ms } }
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: own
                when: { event: push }
                retry: { attempts: 3, backoff: 100ms, max_backoff: 200ms }
                do: [{ http: { url: "http://127.0.0.1:\(down.port)/own" } }]
              - name: inherits
                when: { event: push }
                do: [{ http: { url: "http://127.0.0.1:\(down.port)/inherits" } }]
            """, in: dir)
        defer { server.child.stop() }
        #expect(try Self.post(Self.fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json"),
                              to: "\(server.base)/hooks/registry") == 202)
        #expect(Loopback.waitFor(seconds: 30) {
            ((try? Self.deliveries(server)) ?? []).compactMap { $0["state"] as? String } == ["dead", "dead"]
        })
        let deliveries = try Self.deliveries(server)
        #expect(deliveries.first { $0["rule"] as? String == "own" }?["attempts"] as? Int == 3)
        #expect(deliveries.first { $0["rule"] as? String == "inherits" }?["attempts"] as? Int == 2)
        #expect(deliveries.allSatisfy { $0["last_status"] as? String == "HTTP 503" })
        // Dead means no more attempts: the receiver saw exactly those, and still does a while later.
        Thread.sleep(forTimeInterval: 1)
        #expect(down.requests.filter { $0.path == "/own" }.count == 3)
        #expect(down.requests.filter { $0.path == "/inherits" }.count == 2)
    }

    @Test func aReceiverThatIsDownForAWhileGetsTheDeliveryWhenItComesBack() throws {
        let dir = try Loopback.temporaryDirectory("down")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Loopback.freePort()
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: later
                when: { event: push }
                retry: { attempts: 50, backoff: 200ms, max_backoff: 1s }
                timeout: 2s
                do: [{ http: { url: "http://127.0.0.1:\(port)/later" } }]
            """, in: dir)
        defer { server.child.stop() }
        let payload = Self.fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json")
        #expect(try Self.post(payload, to: "\(server.base)/hooks/registry") == 202)
        #expect(Loopback.waitFor(seconds: 30) { ((try? Self.deliveries(server)) ?? []).first?["attempts"] as? Int ?? 0 >= 2 })
        let receiver = try Receiver(directory: dir, port: port)
        defer { receiver.stop() }
        #expect(Loopback.waitFor(seconds: 60) { ((try? Self.deliveries(server)) ?? []).first?["state"] as? String == "succeeded" })
        #expect(receiver.requests.count == 1)
    }

    @Test func aKilledServerLosesNoAcceptedEvent() throws {
        let dir = try Loopback.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try Receiver(directory: dir)
        defer { receiver.stop() }
        let rules = """
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: forward
                when: { event: push }
                retry: { attempts: 20, backoff: 100ms, max_backoff: 1s }
                do: [{ http: { url: "http://127.0.0.1:\(receiver.port)/forward" } }]
            """
        let server = try Self.serve(rules, in: dir)
        let accepted = dir.appendingPathComponent("accepted.txt")
        let burst = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Executable.packageRoot.appendingPathComponent("Tests/HarbingerTests/Support/burst.py").path,
            "\(server.base)/hooks/registry", Self.fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json").path,
            "1000", "8", accepted.path,
        ], log: dir.appendingPathComponent("burst.log"))
        // Kill the server mid-burst, once a few hundred events were accepted.
        #expect(Loopback.waitFor(seconds: 60) { ((try? String(contentsOf: accepted, encoding: .utf8)) ?? "").split(separator: "\n").count >= 300 })
        server.child.crash()
        #expect(Loopback.waitFor(seconds: 120) { !burst.isRunning })
        let acceptedIDs = Set(((try? String(contentsOf: accepted, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        #expect(acceptedIDs.count >= 300)

        let restarted = try ServerProcess(rules: dir.appendingPathComponent("rules.yml"), directory: dir)
        defer { restarted.child.stop() }
        #expect(Loopback.waitFor(seconds: 120) {
            let delivered = Set(receiver.requests.compactMap { $0.header("X-Harbinger-Event-Id") })
            return acceptedIDs.isSubset(of: delivered)
        }, "not every accepted event was delivered after the restart")
        let perEvent = Dictionary(grouping: receiver.requests.compactMap { $0.header("X-Harbinger-Event-Id") }, by: { $0 })
        let duplicated = perEvent.values.filter { $0.count > 1 }.count
        // Only deliveries sent but not yet recorded at the kill may be sent twice: the target's concurrency
        // (8 by default) and one group of records, far fewer than the workers' places in flight.
        #expect(duplicated <= 64, "\(duplicated) events were delivered more than once")
    }

    @Test func aStoppedServerWaitsForItsDeliveriesOnlySoLongAndLeavesThemPending() throws {
        let dir = try Loopback.temporaryDirectory("drain")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A script that would run for two minutes; it writes its PID (that of the sleep it becomes) first.
        let script = dir.appendingPathComponent("hang.sh"), pidFile = dir.appendingPathComponent("hang.pid")
        try Self.script("#!/bin/sh\necho $$ > \"$1\"\nexec sleep 120\n", at: script)
        let rules = """
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: hang
                when: { event: push }
                do: [{ shell: { command: ["\(script.path)", "\(pidFile.path)"], timeout: 10m } }]
            """
        let server = try Self.serve(rules, in: dir)
        #expect(try Self.post(Self.fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json"),
                              to: "\(server.base)/hooks/registry") == 202)
        #expect(Loopback.waitFor(seconds: 30) { Int32(((try? String(contentsOf: pidFile, encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)) != nil })
        let scriptPID = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))

        // SIGTERM: in-flight deliveries get the drain timeout (10 s), then are torn down. The server must
        // exit on its own well before the 60 s after which `stop` would SIGKILL it.
        let stopping = Date()
        server.child.stop(grace: 60)
        let took = Date().timeIntervalSince(stopping)
        #expect(server.child.process.terminationReason == .exit, "the server had to be killed")
        #expect(took < 40, "shutdown took \(took) s")
        #expect(Loopback.waitFor(seconds: 10) { kill(scriptPID, 0) != 0 }, "the script outlived the server")

        // The delivery is left for the next start: pending again, its cut-short attempt recorded.
        let delivery = try #require(try Self.deliveries(server).first)
        #expect(delivery["state"] as? String == "pending")
        #expect(delivery["last_status"] as? String == "cancelled")
    }

    @Test func rulesReloadOnSIGHUPAndOnAChangeAndAnInvalidEditKeepsTheOldRulesServing() throws {
        let dir = try Loopback.temporaryDirectory("reload")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Every delivery appends its rule's letter to runs.txt.
        let script = dir.appendingPathComponent("note.sh"), runs = dir.appendingPathComponent("runs.txt")
        try Self.script("#!/bin/sh\necho \"$1\" >> \"$2\"\n", at: script)
        func rules(_ letter: String) -> String {
            """
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: rule-\(letter)
                when: { event: push }
                do: [{ shell: { command: ["\(script.path)", "\(letter)", "\(runs.path)"] } }]
            """
        }
        let file = dir.appendingPathComponent("rules.yml")
        let server = try Self.serve(rules("A"), in: dir)
        defer { server.child.stop() }
        var posted = 0
        /// Posts a push with a new event id; waits until its delivery wrote a line, and returns that line.
        func push() throws -> String? {
            posted += 1
            #expect(try Self.post(Self.push(id: "reload-\(posted)", in: dir), to: "\(server.base)/hooks/registry") == 202)
            var lines: [Substring] = []
            _ = Loopback.waitFor(seconds: 20) {
                lines = ((try? String(contentsOf: runs, encoding: .utf8)) ?? "").split(separator: "\n")
                return lines.count >= posted
            }
            return lines.count == posted ? lines.last.map(String.init) : nil
        }
        func metric(_ line: String) -> Bool {
            ((try? Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "\(server.base)/metrics"]).stdout) ?? "").contains(line)
        }
        #expect(try push() == "A")

        // SIGHUP reloads (the file is unchanged, so the poll does not).
        kill(server.child.pid, SIGHUP)
        #expect(Loopback.waitFor(seconds: 20) { server.child.output.contains("reason=SIGHUP") })
        #expect(Loopback.waitFor(seconds: 20) { metric("harbinger_reloads_total{result=\"success\"} 1") })

        // A change to the file is picked up without a signal.
        try rules("B").write(to: file, atomically: true, encoding: .utf8)
        #expect(Loopback.waitFor(seconds: 20) { server.child.output.contains("reason=file change") })
        #expect(try push() == "B")

        // An invalid edit is reported with its position, counted, and B keeps serving.
        try (rules("C") + "\n    when: [oops\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(Loopback.waitFor(seconds: 20) { metric("harbinger_reloads_total{result=\"failure\"} 1") })
        #expect(server.child.output.contains("rules reload failed; the previous rules keep serving"))
        #expect(server.child.output.contains("\(file.path):"), "the diagnostic names the file and position")
        #expect(try push() == "B")
    }

    @Test func metricsCountWhatHappenedAndEveryLogLineIsJSON() throws {
        let dir = try Loopback.temporaryDirectory("metrics")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("ok.sh")
        try Self.script("#!/bin/sh\nexit 0\n", at: script)
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution, auth: { bearer: "s3cret" } }]
            rules:
              - name: note
                when: { event: push }
                do: [{ shell: { command: ["\(script.path)"] } }]
            """, in: dir, arguments: ["--log-format", "json"])
        defer { server.child.stop() }
        let payload = Self.fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json")
        let hook = "\(server.base)/hooks/registry"
        #expect(try Self.post(payload, to: hook, authorization: "Bearer wrong") == 401)
        #expect(try Self.post(payload, to: hook, contentType: "text/plain", authorization: "Bearer s3cret") == 415)
        #expect(try Self.post(payload, to: hook, authorization: "Bearer s3cret") == 202)
        #expect(Loopback.waitFor(seconds: 30) { ((try? Self.deliveries(server)) ?? []).first?["state"] as? String == "succeeded" })

        var samples: [(name: String, labels: Set<String>, value: Double)] = []
        /// The value of the sample called `name` carrying every label in `labels`, once the scrape shows it.
        func value(_ name: String, _ labels: Set<String> = []) -> Double? {
            samples.first { $0.name == name && labels.isSubset(of: $0.labels) }?.value
        }
        func scrape() {
            let text = (try? Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "\(server.base)/metrics"]).stdout) ?? ""
            samples = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
                let series = line[..<space]
                let name = String(series.prefix { $0 != "{" })
                let labels = series.drop { $0 != "{" }.dropFirst().dropLast().split(separator: ",").map(String.init)
                return (name, Set(labels), value)
            }
        }
        // The queue-depth gauge is recorded once a second.
        #expect(Loopback.waitFor(seconds: 10) { scrape(); return value("harbinger_queue_depth") == 0 })
        #expect(value("harbinger_events_received_total", ["source=\"registry\"", "type=\"push\""]) == 1)
        #expect(value("harbinger_requests_total", ["source=\"registry\"", "outcome=\"accepted\""]) == 1)
        #expect(value("harbinger_requests_rejected_total", ["reason=\"unauthorized\""]) == 1)
        #expect(value("harbinger_requests_rejected_total", ["reason=\"unsupported_media_type\""]) == 1)
        #expect(value("harbinger_deliveries_total", ["rule=\"note\"", "action=\"shell\"", "outcome=\"succeeded\""]) == 1)
        #expect(value("harbinger_attempt_duration_seconds_count", ["action=\"shell\""]) == 1)
        #expect(value("harbinger_attempt_duration_seconds_bucket", ["action=\"shell\"", "le=\"+Inf\""]) == 1)

        // Every line the server wrote is one JSON object with a level and a message.
        let lines = server.child.output.split(separator: "\n")
        #expect(lines.count >= 3)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String, "not a JSON log line: \(line)")
            // RFC 3339 in UTC, with the offset: 2026-11-25T14:16:19.837Z.
            let time = object?["time"] as? String ?? ""
            #expect(time.count == 24 && time.hasSuffix("Z") && time.dropFirst(10).first == "T", "time \(time)")
        }
        // A refusal names the source, the status and the sender's address.
        let refusals = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["message"] as? String == "refused a webhook" }
        #expect(refusals.count == 2)
        #expect(refusals.allSatisfy { $0["peer"] as? String == "127.0.0.1" && $0["source"] as? String == "registry" }, "\(refusals)")
        #expect(Set(refusals.compactMap { $0["status"] as? String }) == ["401", "415"])
        #expect(lines.contains { $0.contains(#""message":"accepted events""#) && $0.contains(#""peer":"127.0.0.1""#) })
    }

    @Test func sendTestRunsOneRulesActionsInOrderAndStopsAtTheFirstFailure() throws {
        let dir = try Loopback.temporaryDirectory("send-test")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = try Receiver(directory: dir, statuses: "200")
        defer { ok.stop() }
        let broken = try Receiver(directory: dir, statuses: "500")
        defer { broken.stop() }
        // Each script run leaves its first argument in ran.txt.
        let script = dir.appendingPathComponent("after.sh"), ran = dir.appendingPathComponent("ran.txt")
        try Self.script("#!/bin/sh\necho \"$1\" >> \"\(ran.path)\"\n", at: script)
        let file = dir.appendingPathComponent("rules.yml")
        try """
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: works
                when: { event: push }
                do:
                  - http: { url: "http://127.0.0.1:\(ok.port)/hook/{{repository}}" }
                  - shell: { command: ["\(script.path)", "works {{tag}}"] }
              - name: fails
                when: { event: push }
                do:
                  - http: { url: "http://127.0.0.1:\(broken.port)/hook" }
                  - shell: { command: ["\(script.path)", "fails"] }
            """.write(to: file, atomically: true, encoding: .utf8)

        let works = try Executable.harbinger("send-test", "works", "--rules", file.path, "--repository", "shop/web", "--tag", "9.9")
        #expect(works.status == 0, "\(works.stdout)\(works.stderr)")
        #expect(ok.requests.map(\.path) == ["/hook/shop/web"])
        let body = try #require(ok.requests.first.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] })
        #expect(body["tag"] as? String == "9.9")
        #expect(try String(contentsOf: ran, encoding: .utf8) == "works 9.9\n")

        let fails = try Executable.harbinger("send-test", "fails", "--rules", file.path)
        #expect(fails.status == 1)
        #expect(broken.requests.count == 1)
        #expect(try String(contentsOf: ran, encoding: .utf8) == "works 9.9\n", "the chain went on after a failure")
    }

    @Test func hostileTagsInAPayloadReachAScriptAsPlainArgumentsAndVariables() throws {
        let dir = try Loopback.temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let canary = dir.appendingPathComponent("canary").path
        // Records its arguments, HARBINGER_TAG and stdin's tag, one per line, in a file per event.
        let script = dir.appendingPathComponent("record.sh")
        try Self.script("""
            #!/bin/sh
            out="\(dir.path)/args-$HARBINGER_EVENT_ID"
            for arg in "$@"; do printf '%s\\n' "$arg"; done > "$out"
            printf '%s\\n' "$HARBINGER_TAG" >> "$out"
            """, at: script)
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: record
                when: { event: push }
                do: [{ shell: { command: ["\(script.path)", "{{tag}}", "tag={{tag}} repo={{repository}}"] } }]
            """, in: dir)
        defer { server.child.stop() }
        let template = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf:
            Self.fixtures.appendingPathComponent("distribution-captured/03-push-manifest.json"))) as? [String: Any])
        let hostile = ["$(touch \(canary))", "`touch \(canary)`", "1.0; touch \(canary)", "1.0 && touch \(canary) #",
                       "a|touch \(canary)", "'\"$HOME\"'", "*", "x\ny"]
        for (index, tag) in hostile.enumerated() {
            var payload = template
            var events = try #require(payload["events"] as? [[String: Any]])
            var target = try #require(events[0]["target"] as? [String: Any])
            target["tag"] = tag
            events[0]["target"] = target
            events[0]["id"] = "hostile-\(index)"
            payload["events"] = events
            let file = dir.appendingPathComponent("hostile-\(index).json")
            try JSONSerialization.data(withJSONObject: payload).write(to: file)
            #expect(try Self.post(file, to: "\(server.base)/hooks/registry") == 202, "tag \(tag)")
        }
        #expect(Loopback.waitFor(seconds: 30) {
            ((try? Self.deliveries(server)) ?? []).filter { $0["state"] as? String == "succeeded" }.count == hostile.count
        })
        for (index, tag) in hostile.enumerated() {
            let recorded = try String(contentsOf: dir.appendingPathComponent("args-hostile-\(index)"), encoding: .utf8)
            #expect(recorded == "\(tag)\ntag=\(tag) repo=team/app\n\(tag)\n", "tag \(tag)")
        }
        #expect(!FileManager.default.fileExists(atPath: canary), "a tag ran as a command")
    }

    @Test func aDockerHubChainRunsStepByStepAndItsCallbackReportsSuccessOrFailure() throws {
        let dir = try Loopback.temporaryDirectory("chain")
        defer { try? FileManager.default.removeItem(at: dir) }
        let deploy = try Receiver(directory: dir, statuses: "200")
        defer { deploy.stop() }
        let hub = try Receiver(directory: dir, statuses: "200")
        defer { hub.stop() }
        // The first step passes for the tag "good" only.
        let check = dir.appendingPathComponent("check.sh")
        try Self.script("#!/bin/sh\n[ \"$1\" = good ]\n", at: check)
        let server = try Self.serve("""
            version: 1
            sources: [{ name: hub, kind: dockerhub }]
            rules:
              - name: ship
                when: { event: push }
                do:
                  - shell: { command: ["\(check.path)", "{{tag}}"] }
                  - http: { url: "http://127.0.0.1:\(deploy.port)/deploy/{{tag}}" }
                  - callback: { context: "ship/{{tag}}" }
            """, in: dir)
        defer { server.child.stop() }
        let template = try String(contentsOf: Self.fixtures.appendingPathComponent("dockerhub/push.json"), encoding: .utf8)
        for tag in ["good", "bad"] {
            let file = dir.appendingPathComponent("\(tag).json")
            try template
                .replacingOccurrences(of: "https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
                                      with: "http://127.0.0.1:\(hub.port)/hook/\(tag)/")
                .replacingOccurrences(of: "\"tag\": \"latest\"", with: "\"tag\": \"\(tag)\"")
                .write(to: file, atomically: true, encoding: .utf8)
            #expect(try Self.post(file, to: "\(server.base)/hooks/hub", contentType: "application/json") == 202)
        }
        #expect(Loopback.waitFor(seconds: 30) { hub.requests.count == 2 })
        // good: check, deploy, then success. bad: check failed, so no deploy, and the callback says failure.
        #expect(deploy.requests.map(\.path) == ["/deploy/good"])
        let states = Dictionary(uniqueKeysWithValues: hub.requests.map { request in
            (request.path, (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["state"] as? String)
        })
        #expect(states == ["/hook/good/": "success", "/hook/bad/": "failure"])
        let steps = try Self.deliveries(server).map { "\($0["action"] as? String ?? "?") \($0["state"] as? String ?? "?")" }.sorted()
        #expect(steps == ["callback succeeded", "callback succeeded", "http succeeded", "shell failed", "shell succeeded"])
    }

    @Test func aDeliveryKeepsTheActionItWasEnqueuedWithAcrossAReload() throws {
        let dir = try Loopback.temporaryDirectory("snapshot")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The old target fails once, slowly (the reload happens while the first attempt is in flight).
        let old = try Receiver(directory: dir, statuses: "503,200", delay: 1.5)
        defer { old.stop() }
        let new = try Receiver(directory: dir, statuses: "200")
        defer { new.stop() }
        func rules(_ port: Int) -> String {
            """
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: notify
                when: { event: push }
                retry: { attempts: 5, backoff: 100ms, max_backoff: 200ms }
                do: [{ http: { url: "http://127.0.0.1:\(port)/notify" } }]
            """
        }
        let server = try Self.serve(rules(old.port), in: dir)
        defer { server.child.stop() }
        #expect(try Self.post(Self.push(id: "before-reload", in: dir), to: "\(server.base)/hooks/registry") == 202)

        try rules(new.port).write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        kill(server.child.pid, SIGHUP)
        #expect(Loopback.waitFor(seconds: 20) { server.child.output.contains("rules reloaded") })
        #expect(try Self.post(Self.push(id: "after-reload", in: dir), to: "\(server.base)/hooks/registry") == 202)

        #expect(Loopback.waitFor(seconds: 30) {
            ((try? Self.deliveries(server)) ?? []).filter { $0["state"] as? String == "succeeded" }.count == 2
        })
        // The first event's retry went where its delivery was enqueued to go; only the new event goes to the new URL.
        #expect(old.requests.count == 2)
        #expect(new.requests.count == 1)
        #expect(new.requests.first?.header("X-Harbinger-Event-Id") == "after-reload")
    }

    @Test func serveTakesItsAddressAndStoreFromTheServerBlockUnlessFlagsSayOtherwise() throws {
        let dir = try Loopback.temporaryDirectory("server-block")
        defer { try? FileManager.default.removeItem(at: dir) }
        func start(_ server: String, _ flags: [String] = [], port: Int, name: String) throws -> ChildProcess {
            let file = dir.appendingPathComponent("\(name).yml")
            try """
                version: 1
                \(server)
                sources: [{ name: registry, kind: distribution }]
                rules: []
                """.write(to: file, atomically: true, encoding: .utf8)
            let child = try ChildProcess(Executable.harbinger, ["serve", "--rules", file.path] + flags,
                                         log: dir.appendingPathComponent("\(name).log"), directory: dir)
            #expect(Loopback.waitFor(seconds: 30) { Loopback.status("http://127.0.0.1:\(port)/healthz") == 200 }, "\(child.output)")
            return child
        }
        // Both from the block; a relative store path is taken from the working directory.
        let blockPort = Loopback.freePort()
        let fromBlock = try start("server: { listen: \"127.0.0.1:\(blockPort)\", store: \"sqlite:custom.db\" }", port: blockPort, name: "block")
        fromBlock.stop()
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("custom.db").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("harbinger.db").path))

        // The flags win over the block.
        let flagPort = Loopback.freePort()
        let fromFlags = try start("server: { listen: \"127.0.0.1:\(blockPort)\", store: \"sqlite:custom.db\" }",
                                  ["--listen", "127.0.0.1:\(flagPort)", "--store", "sqlite:flagged.db"], port: flagPort, name: "flags")
        #expect(Loopback.status("http://127.0.0.1:\(blockPort)/healthz") == nil)
        fromFlags.stop()
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("flagged.db").path))

        // No store anywhere: harbinger.db.
        let defaultPort = Loopback.freePort()
        let byDefault = try start("server: { listen: \"127.0.0.1:\(defaultPort)\" }", port: defaultPort, name: "default")
        byDefault.stop()
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("harbinger.db").path))
    }

    @Test func aServerDoesNotGrowWithTheDeliveriesItHasMade() throws {
        let dir = try Loopback.temporaryDirectory("growth")
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try Receiver(directory: dir)
        defer { receiver.stop() }
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: forward
                when: { event: push }
                do: [{ http: { url: "http://127.0.0.1:\(receiver.port)/forward", concurrency: 16 } }]
            """, in: dir)
        defer { server.child.stop() }
        func burst(_ count: Int, _ name: String) throws { try Self.burst(count, to: server, name: name, in: dir) }
        func delivered() -> Int {
            let text = (try? Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "\(server.base)/metrics"]).stdout) ?? ""
            return text.split(separator: "\n").filter { $0.hasPrefix("harbinger_deliveries_total") && $0.contains("outcome=\"succeeded\"") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
        }
        func residentKiB() -> Int {
            let status = (try? String(contentsOfFile: "/proc/\(server.child.pid)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        // Warm up (page caches, connection pools, metric handles), then deliver many more.
        try burst(500, "warm")
        #expect(Loopback.waitFor(seconds: 120) { delivered() >= 500 })
        let before = residentKiB()
        try burst(2_000, "more")
        #expect(Loopback.waitFor(seconds: 300) { delivered() >= 2_500 })
        let after = residentKiB()
        // A finished delivery must leave nothing behind: before the fix each one kept its task (about
        // 45 KiB in a debug build), and 3,000 of them grew the server by 140 MiB.
        #expect(before > 0 && after - before < 30 * 1024, "the server grew from \(before) KiB to \(after) KiB")
    }

    @Test func aTargetRunsAtMostItsConcurrencyAtOnceAndTheRestWaitTheirTurn() throws {
        let dir = try Loopback.temporaryDirectory("concurrency")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Each run notes when it started and ended (nanoseconds), in a file of its own.
        let script = dir.appendingPathComponent("slow.sh")
        try Self.script("""
            #!/bin/sh
            start=$(date +%s%N); sleep 1; echo "$start $(date +%s%N)" > "\(dir.path)/run-$$"
            """, at: script)
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: slow
                when: { event: push }
                do: [{ shell: { command: ["\(script.path)"], concurrency: 2 } }]
            """, in: dir)
        defer { server.child.stop() }
        try Self.burst(8, to: server, name: "slow", in: dir)
        func runs() -> [(start: Int, end: Int)] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.filter { $0.hasPrefix("run-") }.compactMap { name in
                let fields = ((try? String(contentsOfFile: dir.appendingPathComponent(name).path, encoding: .utf8)) ?? "")
                    .split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
                return fields.count == 2 ? (fields[0], fields[1]) : nil
            }
        }
        #expect(Loopback.waitFor(seconds: 60) { runs().count == 8 })
        // The most runs at once: +1 at each start, -1 at each end, ends first when they tie.
        let edges = runs().flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var running = 0, most = 0
        for edge in edges {
            running += edge.1
            most = max(most, running)
        }
        // Eight events arrive at once and each run takes a second: two run together, never three.
        #expect(most == 2, "at most \(most) runs at once")
        #expect(Loopback.waitFor(seconds: 30) {
            ((try? Self.deliveries(server)) ?? []).filter { $0["state"] as? String == "succeeded" }.count == 8
        })
    }

    @Test func aRuleWhoseReceiverHangsWithALongBacklogDoesNotHoldUpTheOthers() throws {
        let dir = try Loopback.temporaryDirectory("share")
        defer { try? FileManager.default.removeItem(at: dir) }
        // `stuck` runs a script that hangs until the test lets it go; `quick` writes a file.
        let stuck = dir.appendingPathComponent("stuck.sh"), quick = dir.appendingPathComponent("quick.sh")
        try Self.script("#!/bin/sh\nwhile [ ! -e \"\(dir.path)/go\" ]; do sleep 0.1; done\n", at: stuck)
        try Self.script("#!/bin/sh\ntouch \"\(dir.path)/quick-ran\"\n", at: quick)
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: stuck
                when: { event: push, tag: "t*" }
                do: [{ shell: { command: ["\(stuck.path)"], concurrency: 1, timeout: 10m } }]
              - name: quick
                when: { event: push, tag: "quick" }
                do: [{ shell: { command: ["\(quick.path)"] } }]
            """, in: dir)
        defer {
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("go").path, contents: nil)
            server.child.stop()
        }
        // More deliveries for the hanging rule than the 512 places in flight.
        try Self.burst(600, to: server, name: "stuck", in: dir)
        #expect(try Self.post(Self.push(id: "quick-1", tag: "quick", in: dir), to: "\(server.base)/hooks/registry") == 202)
        // The hanging rule holds at most half the places, so the other rule's delivery runs at once.
        #expect(Loopback.waitFor(seconds: 20) { FileManager.default.fileExists(atPath: dir.appendingPathComponent("quick-ran").path) })
    }

    @Test func replayRunsFailedDeliveriesAgainByIdOrByRule() throws {
        let dir = try Loopback.temporaryDirectory("replay")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Refuses the first three requests (the deliveries fail at once), then takes everything.
        let receiver = try Receiver(directory: dir, statuses: "400,400,400,200")
        defer { receiver.stop() }
        let other = try Receiver(directory: dir, statuses: "400")
        defer { other.stop() }
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: notify
                when: { event: push }
                do: [{ http: { url: "http://127.0.0.1:\(receiver.port)/notify" } }]
              - name: other
                when: { event: push }
                do: [{ http: { url: "http://127.0.0.1:\(other.port)/other" } }]
            """, in: dir)
        defer { server.child.stop() }
        for index in 1...3 {
            #expect(try Self.post(Self.push(id: "replay-\(index)", in: dir), to: "\(server.base)/hooks/registry") == 202)
        }
        let ofNotify = { (state: String) in
            ((try? Self.deliveries(server)) ?? []).filter { $0["rule"] as? String == "notify" && $0["state"] as? String == state }
        }
        #expect(Loopback.waitFor(seconds: 30) { ofNotify("failed").count == 3 && other.requests.count == 3 })

        // Neither ids nor a filter, both, or running deliveries: refused with a usage error.
        let bare = try Executable.harbinger("replay", "--store", server.store)
        #expect(bare.status == 2 && bare.stderr.contains("give delivery ids, or choose deliveries with --state, --rule or --event"))
        #expect(try Executable.harbinger("replay", "x", "--rule", "notify", "--store", server.store).status == 2)
        #expect(try Executable.harbinger("replay", "--state", "running", "--store", server.store).status == 2)

        // By id: the same webhook-id is sent again, and the delivery succeeds on its next attempt.
        let first = try #require(ofNotify("failed").first?["id"] as? String)
        let byID = try Executable.harbinger("replay", first, "--store", server.store)
        #expect(byID.status == 0 && byID.stdout.contains("replaying \(first)"), "\(byID.stdout)")
        #expect(Loopback.waitFor(seconds: 30) { ofNotify("succeeded").count == 1 })
        #expect(receiver.requests.filter { $0.header("webhook-id") == first }.count == 2)

        // By rule: the other two failed deliveries of `notify`, and none of `other`'s.
        let byRule = try Executable.harbinger("replay", "--rule", "notify", "--store", server.store)
        #expect(byRule.status == 0)
        #expect(byRule.stdout.contains("replaying 2 failed or dead deliveries of rule notify"), "\(byRule.stdout)")
        #expect(Loopback.waitFor(seconds: 30) { ofNotify("succeeded").count == 3 })
        #expect(receiver.requests.count == 6)
        #expect(other.requests.count == 3)
        let nothing = try Executable.harbinger("replay", "--rule", "notify", "--store", server.store)
        #expect(nothing.status == 0 && nothing.stdout.contains("no failed or dead deliveries of rule notify"), "\(nothing.stdout)")
    }

    @Test func finishedDeliveriesLeaveTheHistoryAfterTheRetentionAndPendingOnesStay() throws {
        let dir = try Loopback.temporaryDirectory("retention")
        defer { try? FileManager.default.removeItem(at: dir) }
        let taking = try Receiver(directory: dir, statuses: "200")
        defer { taking.stop() }
        let down = try Receiver(directory: dir, statuses: "503")
        defer { down.stop() }
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            server: { retention: 2s }
            rules:
              - name: done
                when: { event: push }
                do: [{ http: { url: "http://127.0.0.1:\(taking.port)/done" } }]
              - name: waiting
                when: { event: push }
                retry: { attempts: 5, backoff: 1h, max_backoff: 1h }
                do: [{ http: { url: "http://127.0.0.1:\(down.port)/waiting" } }]
            """, in: dir)
        defer { server.child.stop() }
        #expect(try Self.post(Self.push(id: "retained", in: dir), to: "\(server.base)/hooks/registry") == 202)
        #expect(Loopback.waitFor(seconds: 30) { taking.requests.count == 1 && down.requests.count == 1 })
        // The succeeded delivery goes within a few seconds; the pending one, waiting an hour for its
        // next attempt, stays with its event.
        #expect(Loopback.waitFor(seconds: 30) {
            ((try? Self.deliveries(server)) ?? []).compactMap { $0["rule"] as? String } == ["waiting"]
        })
        let waiting = try #require(try Self.deliveries(server).first?["id"] as? String)
        let shown = try Executable.harbinger("deliveries", "--id", waiting, "--store", server.store)
        #expect(shown.status == 0 && shown.stdout.contains("HTTP 503"), "\(shown.stdout)")
        let metrics = try Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "\(server.base)/metrics"]).stdout
        #expect(metrics.contains("harbinger_history_pruned_total{kind=\"deliveries\"} 1"), "\(metrics)")
        // The event stays with its pending delivery, and the rules snapshot in force stays.
        #expect(metrics.contains("harbinger_history_pruned_total{kind=\"events\"} 0"), "\(metrics)")
        #expect(metrics.contains("harbinger_history_pruned_total{kind=\"snapshots\"} 0"), "\(metrics)")

        let badFlag = try Executable.harbinger("serve", "--rules", dir.appendingPathComponent("rules.yml").path, "--retention", "always")
        #expect(badFlag.status == 2, "\(badFlag.stderr)")
        #expect(badFlag.stderr.contains("'--retention <retention>': expected a duration such as 30d or 12h, or 'forever', found 'always'"),
                "\(badFlag.stderr)")
    }

    @Test func aRuleThatKeepsFailingPausesItselfAndResumeBringsItBack() throws {
        let dir = try Loopback.temporaryDirectory("pause")
        defer { try? FileManager.default.removeItem(at: dir) }
        let refusing = try Receiver(directory: dir, statuses: "400")
        defer { refusing.stop() }
        let server = try Self.serve("""
            version: 1
            sources: [{ name: registry, kind: distribution }]
            rules:
              - name: fragile
                when: { event: push }
                disable_after: 2
                do: [{ http: { url: "http://127.0.0.1:\(refusing.port)/fragile" } }]
            """, in: dir)
        defer { server.child.stop() }
        for index in 1...3 {
            let payload = try Self.push(id: "pause-\(index)", in: dir)
            if index == 3 {
                #expect(Loopback.waitFor(seconds: 30) {
                    ((try? Executable.harbinger("deliveries", "--store", server.store).stdout) ?? "").contains("rule fragile is PAUSED")
                })
            }
            #expect(try Self.post(payload, to: "\(server.base)/hooks/registry") == 202)
            if index < 3 {
                #expect(Loopback.waitFor(seconds: 30) { refusing.requests.count == index })
            }
        }
        // Paused: the third event matched no rule, so it made no delivery.
        #expect(try Self.deliveries(server).count == 2)
        let listing = try Executable.harbinger("deliveries", "--store", server.store).stdout
        #expect(listing.contains("rule fragile is PAUSED: paused after 2 failed deliveries in a row; last: HTTP 400"))
        let metrics = try Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "\(server.base)/metrics"]).stdout
        #expect(metrics.contains("harbinger_rules_paused_total{rule=\"fragile\"} 1"))
        #expect(try Executable.harbinger("resume", "fragile", "--store", server.store).status == 0)
        #expect(Loopback.waitFor(seconds: 10) {
            !((try? Executable.harbinger("deliveries", "--store", server.store).stdout) ?? "").contains("PAUSED")
        })
        // The running server reads the paused set from the store every second: within a bounded wait,
        // a new event makes a delivery for the rule again, and the receiver gets it.
        var posted = 3
        #expect(Loopback.waitFor(seconds: 20) {
            posted += 1
            let payload = try? Self.push(id: "pause-\(posted)", in: dir)
            _ = payload.flatMap { try? Self.post($0, to: "\(server.base)/hooks/registry") }
            return ((try? Self.deliveries(server).count) ?? 0) == 3
        })
        #expect(Loopback.waitFor(seconds: 30) { refusing.requests.count == 3 })
    }
}
