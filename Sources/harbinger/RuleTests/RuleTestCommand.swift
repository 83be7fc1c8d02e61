/// `harbinger test`: rule unit tests written in YAML, like `promtool test rules`.
import ArgumentParser
import Foundation
import Router

struct RuleTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run rule unit tests: payloads through sources, with the rules expected to match and the actions expected to run.",
        discussion: """
            A test file is YAML:

              tests:
                - name: a release tag deploys web
                  source: harbor                     # a source declared in the rules
                  payload_file: payloads/push.json   # relative to the test file; push.headers beside it is read too
                  # payload: {...} or payload: '...json...' inline instead
                  # headers: {X-Event: push}
                  expect:
                    events: 1                        # optional: how many canonical events
                    matched: [deploy-web]            # each must match at least one event
                    not_matched: [quarantine-critical]
                    actions:                         # each must be among the rendered actions
                      - {rule: deploy-web, type: http, target: "POST https://deploy.example.com/rollout/shop/web"}

            Prints one line per failure, 'FILE:LINE:COL: FAIL NAME: why', and ends with \
            'N passed, N failed'. Exit status: 0 all passed, 1 a failure or invalid rules or tests, 2 usage error.
            """
    )

    @Argument(help: "A rules file, or a directory of rules files.")
    var rules: String

    @Argument(help: "One or more test files.")
    var tests: [String]

    func validate() throws {
        guard !tests.isEmpty else { throw ValidationError("give at least one test file") }
    }

    func run() throws {
        let set = try RulesLoader.loadOrExit(rules)
        let runner = RuleTestRunner(rules: set)
        var passed = 0, failed = 0
        var invalid = false
        for path in tests {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("harbinger: cannot read \(path)\n")
                throw ExitCode(2)
            }
            let decoder = NodeDecoder(environment: ProcessInfo.processInfo.environment)
            var cases: [RuleTestCase] = []
            do {
                let (root, problems) = try YAMLParser().parse([UInt8](data), file: path)
                decoder.record(problems)
                cases = decoder.ruleTests(root, file: path)
            } catch {
                decoder.record([error])
            }
            guard decoder.diagnostics.isEmpty else {
                let renderer = DiagnosticRenderer(sources: [path: String(decoding: data, as: UTF8.self)])
                printError(RulesError(decoder.diagnostics).diagnostics.map { renderer.render($0, format: .text) }.joined())
                invalid = true
                continue
            }
            for test in cases {
                let failures = runner.failures(of: test)
                if failures.isEmpty {
                    passed += 1
                } else {
                    failed += 1
                    for failure in failures { print("\(test.mark): FAIL \(test.name): \(failure)") }
                }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 || invalid { throw ExitCode(1) }
    }
}
