import Foundation
import Testing
@testable import RuleParser

private func load(_ text: String, environment: [String: String] = [:]) -> RulesLoader.Result {
    RulesLoader(environment: environment).load(text: text, file: "rules.yml")
}

private let header = """
    version: 1
    sources:
      - name: harbor
        kind: harbor
        registry: harbor.example.com
        auth: { header: Authorization, value: "${HARBOR_AUTH:-Basic abc}" }
    rules:

    """

@Test func aRuleDecodesIntoTheTypedModel() throws {
    let result = load(header + """
          - name: deploy-web
            description: roll out web
            when:
              source: harbor
              event: [push]
              repository: "shop/web*"
              tag: { semver: ">=1.0.0 <2.0.0" }
            do:
              - http:
                  url: https://deploy.example.com/rollout
                  method: put
                  body: { template: '{"image": "{{image}}"}' }
            stop: true
            retry: { attempts: 3, backoff: 500ms }
        """)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let rules = try #require(result.rules)
    let rule = try #require(rules.rules.first)
    #expect(rule.name == "deploy-web")
    #expect(rule.stop)
    #expect(rule.retry?.attempts == 3)
    #expect(rule.retry?.backoff == .milliseconds(500))
    #expect(rule.actions.first?.type == "http")
    let http = try #require(rule.actions.first?.config as? HTTPActionConfig)
    #expect(http.method == "PUT")
    guard case .all(let parts) = rule.when else { Issue.record("expected all"); return }
    #expect(parts.count == 4)
    guard case .header(let name, let value)? = rules.sources.first?.auth.first else { Issue.record("expected header auth"); return }
    #expect(name == "Authorization")
    #expect(value.value == "Basic abc")
}

@Test func listMatchersDecodeToSortedNamesAndBitSets() throws {
    let result = load("""
        version: 1
        sources:
          - { name: harbor, kind: harbor }
          - { name: hub, kind: dockerhub }
        rules:
          - name: lists
            when:
              source: [hub, harbor, hub]
              event: [scan_failed, push, push]
              artifact: chart
            do: [{shell: {command: [/bin/true]}}]
        """)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let rule = try #require(result.rules?.rules.first)
    guard case .all(let parts) = rule.when, parts.count == 3 else { Issue.record("expected all of three"); return }
    guard case .match(.source(let sources), _) = parts[0], case .match(.event(let types), _) = parts[1],
          case .match(.artifact(let kinds), _) = parts[2] else {
        Issue.record("expected source, event and artifact matchers: \(parts)")
        return
    }
    #expect(sources == ["harbor", "hub"], "sorted, without repeats")
    #expect(Array(types) == [.push, .scanFailed], "declaration order, without repeats")
    #expect(types.contains(.push) && types.contains(.scanFailed) && !types.contains(.pull))
    #expect(kinds == [.chart] && !kinds.contains(.image))
    #expect(types.intersection([.pull, .scanFailed]) == [.scanFailed])
    #expect(EventTypes.all.count == EventType.allCases.count && ArtifactKinds.all.count == ArtifactKind.allCases.count)
    #expect(Set(EventType.allCases.map(\.bitPosition)).count == EventType.allCases.count, "a bit per type")
    #expect(Set(ArtifactKind.allCases.map(\.bitPosition)).count == ArtifactKind.allCases.count, "a bit per kind")
}

@Test func equalPatternsInDifferentRulesShareOneList() throws {
    let result = load(header + """
          - { name: a, when: { repository: "shop/**" }, do: [{shell: {command: [/bin/true]}}] }
          - { name: b, when: { repository: "shop/**" }, do: [{shell: {command: [/bin/true]}}] }
          - { name: c, when: { repository: ["shop/**", {regex: "x.*"}] }, do: [{shell: {command: [/bin/true]}}] }
        """)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let patterns = try #require(result.rules).rules.compactMap { rule -> StringPattern? in
        guard case .match(.field(.repository, let pattern), _) = rule.when else { return nil }
        return pattern
    }
    try #require(patterns.count == 3)
    let storage = patterns.map { $0.items.withUnsafeBufferPointer { $0.baseAddress } }
    #expect(storage[0] == storage[1], "one list for both rules")
    #expect(storage[0] != storage[2])
    #expect(patterns[2].items.count == 2 && patterns[2].matches("xyz") && patterns[2].matches("shop/web"))
}

@Test func decodedListsKeepNoSpareRoom() throws {
    // Five of each: grown by appending, an array of five has room for eight.
    let result = load(header + """
          - name: lists
            when: { all: [{event: push}, {tag: a}, {tag: b}, {tag: c}, {tag: d}] }
            do:
              - http: { url: "https://a.example.com", headers: { A: "1", B: "2", C: "3", D: "4", E: "5" } }
              - shell: { command: [/bin/echo, a, b, c, d], env: { A: "1", B: "2", C: "3", D: "4", E: "5" } }
              - shell: { command: [/bin/true] }
              - shell: { command: [/bin/true] }
              - shell: { command: [/bin/true] }
        """)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let rule = try #require(result.rules?.rules.first)
    guard case .all(let parts) = rule.when else { Issue.record("expected all"); return }
    let http = try #require(rule.actions[0].config as? HTTPActionConfig)
    let shell = try #require(rule.actions[1].config as? ShellActionConfig)
    let rooms = [("conditions", parts.capacity - parts.count), ("actions", rule.actions.capacity - rule.actions.count),
                 ("headers", http.headers.capacity - http.headers.count),
                 ("command", shell.command.capacity - shell.command.count),
                 ("env", shell.environment.capacity - shell.environment.count)]
    for (list, spare) in rooms { #expect(spare == 0, "\(list) has room for \(spare) more") }
}

@Test func optionsKeptOutOfLineReadBackAsWritten() throws {
    let result = load(header + """
          - name: plain
            when: { event: push }
            do:
              - http: { url: "https://a.example.com" }
              - replicate: { to: "mirror.example.com/{{repository}}" }
          - name: every-option
            when: { event: push }
            do:
              - http: { url: "https://a.example.com", content_type: text/plain, concurrency: 3 }
              - replicate:
                  to: "mirror.example.com/{{repository}}"
                  source_credentials: { username: u, password: p }
                  docker_config: /etc/docker/config.json
                  insecure: true
                  mirror_deletes: true
                  ca_file: /etc/ca.pem
                  timeout: 5m
                  concurrency: 2
        """)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let rules = try #require(result.rules?.rules)
    let plainHTTP = try #require(rules[0].actions[0].config as? HTTPActionConfig)
    let plainCopy = try #require(rules[0].actions[1].config as? ReplicateActionConfig)
    #expect(plainHTTP.contentType == "application/json" && plainHTTP.concurrency == nil)
    #expect(plainCopy.sourceCredentials == nil && plainCopy.dockerConfig == nil && !plainCopy.insecure
            && !plainCopy.mirrorDeletes && plainCopy.caFile == nil && plainCopy.ownTimeout == nil
            && plainCopy.concurrency == nil && plainCopy.timeout == ReplicateActionConfig.defaultTimeout)
    let http = try #require(rules[1].actions[0].config as? HTTPActionConfig)
    let copy = try #require(rules[1].actions[1].config as? ReplicateActionConfig)
    #expect(http.contentType == "text/plain" && http.concurrency == 3)
    #expect(copy.sourceCredentials?.username == "u" && copy.sourceCredentials?.password.value == "p")
    #expect(copy.dockerConfig == "/etc/docker/config.json" && copy.insecure && copy.mirrorDeletes)
    #expect(copy.caFile == "/etc/ca.pem" && copy.ownTimeout == .seconds(300) && copy.concurrency == 2)
}

@Test func environmentVariablesAreSubstitutedAtLoad() throws {
    let result = load(header + """
          - name: deploy
            when: { namespace: "${TEAM}" }
            do:
              - http: { url: "https://${DEPLOY_HOST}/hook", headers: { X-Literal: "$${NOT_A_VAR}" } }
        """, environment: ["TEAM": "shop", "DEPLOY_HOST": "deploy.internal"])
    let rule = try #require(result.rules?.rules.first)
    let http = try #require(rule.actions.first?.config as? HTTPActionConfig)
    #expect(http.url.text == "https://deploy.internal/hook")
    #expect(http.headers.first?.value.text == "${NOT_A_VAR}")
    guard case .match(.field(.namespace, let pattern), _) = rule.when else { Issue.record("expected a namespace matcher"); return }
    #expect(pattern.matches("shop"))
}

@Test func aMissingVariableIsReportedAtItsPosition() {
    let result = load(header + """
          - name: deploy
            when: { event: push }
            do:
              - http: { url: "https://x.example.com", bearer: "tok-${TOKEN}" }
        """)
    #expect(result.diagnostics.map(\.description) == [
        "rules.yml:11:60: error: environment variable 'TOKEN' is not set; set it or give a default with ${TOKEN:-default}",
    ])
}

@Test func secretsNeverAppearInMessages() {
    let result = load(header + """
          - name: deploy
            when: { event: push }
            do:
              - http: { url: "https://x.example.com", bearer: "${TOKEN}", basic: { username: u, password: "${TOKEN}" } }
        """, environment: ["TOKEN": "hunter2-secret"])
    #expect(!result.diagnostics.isEmpty)
    #expect(!result.diagnostics.map(\.description).joined().contains("hunter2"))
    #expect("\(Secret("hunter2"))" == "<secret>")
}

@Test func secretFilesAreReadRelativeToTheRulesFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "s3cret\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
    let rules = header.replacingOccurrences(of: "auth: { header: Authorization, value: \"${HARBOR_AUTH:-Basic abc}\" }", with: "auth: { bearer_file: token }")
    try rules.write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
    let result = try RulesLoader(environment: [:]).load(path: dir.appendingPathComponent("rules.yml").path)
    guard case .bearer(let token)? = result.rules?.sources.first?.auth.first else { Issue.record("\(result.diagnostics)"); return }
    #expect(token.value == "s3cret")
}

@Test func aDirectoryLoadsEveryYAMLFileInSortedOrderWithNamesUniqueAcrossFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "version: 1\nsources:\n  - {name: hub, kind: dockerhub}\n".write(to: dir.appendingPathComponent("00-sources.yml"), atomically: true, encoding: .utf8)
    let rule = "rules:\n  - name: a\n    when: {source: hub}\n    do: [{shell: {command: [/bin/true]}}]\n"
    try rule.write(to: dir.appendingPathComponent("10-a.yaml"), atomically: true, encoding: .utf8)
    try "not yaml rules".write(to: dir.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
    let ok = try RulesLoader(environment: [:]).load(path: dir.path)
    #expect(ok.diagnostics.isEmpty, "\(ok.diagnostics)")
    #expect(ok.rules?.rules.map(\.name) == ["a"])
    try rule.write(to: dir.appendingPathComponent("20-b.yml"), atomically: true, encoding: .utf8)
    let duplicate = try RulesLoader(environment: [:]).load(path: dir.path)
    let problem = try #require(duplicate.diagnostics.first)
    #expect(problem.mark.file.hasSuffix("20-b.yml"))
    #expect(problem.message == "duplicate rule name 'a'; rule names must be unique across the rules set")
    #expect(problem.notes.first?.mark.file.hasSuffix("10-a.yaml") == true)
}

@Test func anUnreadablePathIsAReadErrorNotADiagnostic() {
    #expect(throws: RulesLoader.ReadError.self) { try RulesLoader().load(path: "/nonexistent/rules.yml") }
}

@Test func everyProblemInAFileIsReported() {
    let result = load("""
        version: 1
        sources:
          - {name: a, kind: harbour}
        rules:
          - {name: x, when: {event: pushed}, do: []}
          - {name: y, when: {tag: {semver: "^^1"}}, do: [{http: {url: "https://{{registry}}"}}]}
        """)
    #expect(result.diagnostics.count == 5)
}

@Test func theRenderedErrorShowsTheLineAndACaret() {
    let result = load("version: 1\nrules:\n  - name: x\n    wehn: {}\n    do: [{shell: {command: [a]}}]\n")
    #expect(result.diagnostics.count == 1)
    let text = DiagnosticRenderer(sources: result.texts).render(result.diagnostics[0], format: .text)
    #expect(text == """
        rules.yml:4:5: error: unknown key 'wehn' in rule 'x'; did you mean 'when'?
                wehn: {}
                ^

        """)
    let github = DiagnosticRenderer(sources: result.texts).render(result.diagnostics[0], format: .github)
    #expect(github == "::error file=rules.yml,line=4,col=5::unknown key 'wehn' in rule 'x'; did you mean 'when'?\n")
}

@Test func didYouMeanSuggestsOnlyCloseWords() {
    #expect(Suggestion.closest(to: "wehn", in: ["when", "do"]) == "when")
    #expect(Suggestion.closest(to: "repo", in: ["repository", "registry"]) == "repository")
    #expect(Suggestion.closest(to: "xyz", in: ["repository", "registry"]) == nil)
    #expect(Suggestion.closest(to: "harbour", in: SourceKind.allCases.map(\.rawValue)) == "harbor")
}

/// `harbinger check <(envsubst < rules.yml)`: a rules path may be a pipe, which has no size to read up to.
@Test func aRulesFileIsReadFromAPipeToItsEnd() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-pipe-\(UUID().uuidString)").path
    try #require(mkfifo(path, 0o600) == 0)
    defer { unlink(path) }
    let text = String(repeating: "# padding past one read of the pipe\n", count: 4000) + "version: 1\nrules: []\n"
    let writer = Thread {
        let handle = FileHandle(forWritingAtPath: path)
        handle?.write(Data(text.utf8))
        try? handle?.close()
    }
    writer.start()
    let files = try RulesLoader.read(path: path)
    #expect(files.count == 1)
    #expect(files.first?.bytes == Array(text.utf8))
}

@Test func theServerBlockSetsHowLongTheHistoryIsKept() throws {
    let rules = header + "  - { name: r, when: { event: push }, do: [{ shell: { command: [/bin/true] } }] }\n"
    #expect(load(rules).rules?.server.retention == nil)
    #expect(load(rules + "server: { retention: 7d }\n").rules?.server.retention == .after(.seconds(7 * 86_400)))
    #expect(load(rules + "server: { retention: 12h30m }\n").rules?.server.retention == .after(.seconds(45_000)))
    #expect(load(rules + "server: { retention: forever }\n").rules?.server.retention == .forever)
    #expect(HistoryRetention.standard == .after(.seconds(30 * 86_400)))

    let zero = load(rules + "server: { retention: 0s }\n")
    #expect(zero.rules == nil)
    #expect(zero.diagnostics.map(\.description)
        == ["rules.yml:9:22: error: retention of server: a retention of 0 would keep nothing; write a duration such as 30d, or 'forever'"])
    let word = load(rules + "server: { retention: always }\n")
    #expect(word.diagnostics.map(\.description)
        == ["rules.yml:9:22: error: retention of server: expected a duration such as 30d or 12h, or 'forever', found 'always'"])
    let unit = load(rules + "server: { retention: 30 days }\n")
    #expect(unit.diagnostics.first?.message == "retention of server: unknown unit 'days' in duration '30 days'; use ms, s, m, h or d")
}
