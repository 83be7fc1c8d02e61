import Foundation
import Testing

/// `harbinger explain` and `harbinger test`, run as the real executable.
struct ExplainAndTestCommandTests {
    static let fixtures = "Tests/RouterTests/Fixtures"

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func explainShowsEveryRuleWithItsReasonAndTheRenderedActions() throws {
        let out = try Executable.harbinger("explain", "rules.example.yml", "--source", "harbor", "--event", "\(Self.fixtures)/harbor/push-artifact.json")
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.hasPrefix("event push harbor.example.com/shop/web:1.4.2\n"))
        #expect(out.stdout.contains("  match    deploy-web\n"))
        #expect(out.stdout.contains("  no match harbor-replicate-release: tag \"1.4.2\" does not satisfy semver ^2.0.0 || ^3.0.0\n"))
        #expect(out.stdout.contains("  no match experimental: the rule is disabled\n"))
        #expect(out.stdout.contains("    deploy-web: http POST https://deploy.example.com/rollout/shop/web\n"))
    }

    @Test func explainJSONHasTheDocumentedShape() throws {
        let out = try Executable.harbinger("explain", "rules.example.yml", "--source", "registry", "--format", "json",
                                           "--event", "\(Self.fixtures)/distribution-captured/03-push-manifest.json")
        #expect(out.status == 0, "\(out.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.count == 1)
        let event = try #require(events[0]["event"] as? [String: Any])
        #expect(event["repository"] as? String == "team/app")
        #expect(event["type"] as? String == "push")
        let rules = try #require(events[0]["rules"] as? [[String: Any]])
        #expect(rules.count == 9)
        #expect(rules[0]["name"] as? String == "deploy-web")
        #expect(rules[0]["matched"] as? Bool == false)
        #expect(rules[0]["reason"] as? String == "source \"registry\" is not harbor")
        #expect((events[0]["actions"] as? [Any])?.isEmpty == true)
    }

    @Test func explainMasksSecretsInRenderedTargets() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules.yml")
        try """
            version: 1
            sources: [{name: hub, kind: dockerhub}]
            rules:
              - name: call
                when: {}
                do:
                  - http: { url: "https://bot:${BOT_PASSWORD}@hooks.example.com/x?token=${HOOK_TOKEN}&repo={{repository}}" }
            """.write(to: rules, atomically: true, encoding: .utf8)
        let out = try Executable.harbinger("explain", rules.path, "--source", "hub", "--event", "\(Self.fixtures)/dockerhub/push.json",
                                           environment: ["HOOK_TOKEN": "tok-12345", "BOT_PASSWORD": "pw-67890"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("call: http POST https://bot:****@hooks.example.com/x?token=****&repo=svendowideit/testhook"))
        #expect(!out.stdout.contains("tok-12345"))
        #expect(!out.stdout.contains("pw-67890"))
    }

    @Test func explainReportsAnUndecodablePayloadWithItsPath() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let payload = dir.appendingPathComponent("bad.json")
        try #"{"events": [{"action": "push", "target": {"repository": 7}}]}"#.write(to: payload, atomically: true, encoding: .utf8)
        let out = try Executable.harbinger("explain", "rules.example.yml", "--source", "registry", "--event", payload.path)
        #expect(out.status == 1)
        #expect(out.stderr.contains("events[0].target"))
    }

    @Test func explainRefusesAnUnknownSourceAsAUsageError() throws {
        let out = try Executable.harbinger("explain", "rules.example.yml", "--source", "nope", "--event", "\(Self.fixtures)/dockerhub/push.json")
        #expect(out.status == 2)
        #expect(out.stderr.contains("no source named 'nope'"))
    }

    @Test func theExampleRuleTestsPass() throws {
        let out = try Executable.harbinger("test", "rules.example.yml", "examples/tests/rules.example.tests.yml")
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout == "7 passed, 0 failed\n")
    }

    @Test func failingRuleTestsPrintOneLinePerFailureWithTheirPosition() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tests = dir.appendingPathComponent("t.yml")
        try """
            tests:
              - name: passes
                source: harbor
                payload_file: \(Executable.packageRoot.path)/\(Self.fixtures)/harbor/push-artifact.json
                expect: { matched: [deploy-web] }
              - name: wrong expectations
                source: harbor
                payload_file: \(Executable.packageRoot.path)/\(Self.fixtures)/harbor/push-artifact.json
                expect:
                  events: 2
                  matched: [harbor-replicate-release]
                  not_matched: [deploy-web]
                  actions: [{rule: deploy-web, target: "POST https://elsewhere.example.com"}]
            """.write(to: tests, atomically: true, encoding: .utf8)
        let out = try Executable.harbinger("test", "rules.example.yml", tests.path)
        #expect(out.status == 1)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(tests.path):6:5: FAIL wrong expectations: expected 2 events, the payload holds 1",
            "\(tests.path):6:5: FAIL wrong expectations: rule 'harbor-replicate-release' did not match: tag \"1.4.2\" does not satisfy semver ^2.0.0 || ^3.0.0",
            "\(tests.path):6:5: FAIL wrong expectations: rule 'deploy-web' matched, but the test expects it not to",
            "\(tests.path):6:5: FAIL wrong expectations: expected rule 'deploy-web' to run POST https://elsewhere.example.com; it runs http POST https://deploy.example.com/rollout/shop/web",
            "1 passed, 1 failed",
        ])
    }

    @Test func anInvalidTestFileIsReportedWithPositions() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tests = dir.appendingPathComponent("t.yml")
        try "tests:\n  - name: x\n    source: harbor\n    payload: '{}'\n    expct: {}\n".write(to: tests, atomically: true, encoding: .utf8)
        let out = try Executable.harbinger("test", "rules.example.yml", tests.path)
        #expect(out.status == 1)
        #expect(out.stderr.contains("\(tests.path):5:5: error: unknown key 'expct' in test #1; did you mean 'expect'?"))
    }
}
