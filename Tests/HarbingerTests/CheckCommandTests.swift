import Foundation
import Testing

/// `harbinger check` and `harbinger schema`, run as the real executable.
struct CheckCommandTests {
    static let invalid = "Tests/RuleParserTests/Invalid"

    @Test func checkAcceptsTheExampleRules() throws {
        let out = try Executable.harbinger("check", "rules.example.yml")
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout == "rules.example.yml: OK: 5 sources, 9 rules (1 disabled)\n")
    }

    @Test func checkPrintsTheErrorTheSourceLineAndACaretAndExitsOne() throws {
        let out = try Executable.harbinger("check", "\(Self.invalid)/unknown-rule-key.yml")
        #expect(out.status == 1)
        #expect(out.stderr.contains("""
            \(Self.invalid)/unknown-rule-key.yml:7:5: error: unknown key 'wehn' in rule 'deploy'; did you mean 'when'?
                    wehn:
                    ^
            """))
        #expect(out.stderr.hasSuffix("1 error in \(Self.invalid)/unknown-rule-key.yml\n"))
    }

    @Test func checkPrintsNotesForDuplicates() throws {
        let out = try Executable.harbinger("check", "\(Self.invalid)/duplicate-rule-names.yml")
        #expect(out.status == 1)
        #expect(out.stderr.contains("duplicate-rule-names.yml:11:11: error: duplicate rule name 'deploy'"))
        #expect(out.stderr.contains("duplicate-rule-names.yml:6:11: note: 'deploy' is first defined here"))
    }

    @Test func githubFormatPrintsWorkflowAnnotations() throws {
        let out = try Executable.harbinger("check", "--format", "github", "\(Self.invalid)/invalid-duration.yml")
        #expect(out.status == 1)
        #expect(out.stdout == "::error file=\(Self.invalid)/invalid-duration.yml,line=7,col=15::timeout of rule 'deploy': missing unit in duration '5'; write 5s\n")
    }

    @Test func aMissingPathIsAUsageErrorWithExitTwo() throws {
        let out = try Executable.harbinger("check", "no/such/rules.yml")
        #expect(out.status == 2)
        #expect(out.stderr.contains("no/such/rules.yml: no such file or directory"))
    }

    @Test func aBadOptionIsAUsageErrorWithExitTwo() throws {
        #expect(try Executable.harbinger("check", "--format", "xml", "rules.example.yml").status == 2)
        #expect(try Executable.harbinger("check").status == 2)
    }

    @Test func environmentVariablesComeFromTheProcessEnvironment() throws {
        let out = try Executable.harbinger("check", "\(Self.invalid)/missing-env-var.yml", environment: ["DEPLOY_TOKEN": "t"])
        #expect(out.status == 0, "\(out.stderr)")
    }

    /// Files the schema alone can tell are wrong (the rest need `check`'s value checks).
    static let schemaRejects = [
        "unknown-top-level-key", "unknown-rule-key", "wrong-type-when", "missing-rule-name", "missing-when",
        "missing-do", "empty-do", "do-not-a-list", "unknown-source-kind", "missing-source-kind", "bad-source-name",
        "unknown-event-type", "unknown-matcher", "unknown-action", "unknown-action-option", "missing-url",
        "bad-http-method", "shell-command-string", "two-actions-in-one-step", "bad-severity", "unknown-auth-form",
        "hmac-bad-algorithm", "unsupported-version", "harbor-replication-missing-policy", "not-a-mapping",
        "bad-platform", "semver-on-repository", "any-empty", "not-with-list", "invalid-duration",
        "bad-vulnerability-count",
    ]

    @Test func theSchemaAcceptsTheExampleAndRejectsInvalidFiles() throws {
        let out = try Executable.harbinger("schema")
        #expect(out.status == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = dir.appendingPathComponent("schema.json")
        try out.stdout.write(to: schema, atomically: true, encoding: .utf8)
        let python = URL(fileURLWithPath: "/usr/bin/env")
        let script = "scripts/validate-schema.py"
        let valid = try Executable.run(python, ["python3", script, schema.path, "rules.example.yml"])
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        let files = Self.schemaRejects.map { "\(Self.invalid)/\($0).yml" }
        let invalid = try Executable.run(python, ["python3", script, schema.path, "--expect-invalid"] + files)
        #expect(invalid.status == 0, "\(invalid.stdout)\(invalid.stderr)")
        #expect(invalid.stdout.split(separator: "\n").count == files.count)
    }
}
