import Foundation
import Testing
@testable import RuleParser

/// `rules:` items are decoded as the parser completes them (`RuleStream`), so that the whole node tree
/// never exists at once. What comes out must be what decoding the whole tree gives: the same rules,
/// sources and secrets, and the same problems in the same order, on one thread and in halves.
@Suite struct StreamingDecodeTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = directory.deletingLastPathComponent().deletingLastPathComponent()
    static let environment = ["HOOK_TOKEN": "tok-value"]

    /// Every rules file the tests keep: the invalid ones, the fuzzer's seeds and the example.
    static var fixtures: [String] {
        func files(_ folder: URL) -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.filter { $0.hasSuffix(".yml") }.sorted().map { folder.appendingPathComponent($0).path }
        }
        return files(directory.appendingPathComponent("Invalid")) + files(root.appendingPathComponent("Fuzz/seeds"))
            + [root.appendingPathComponent("rules.example.yml").path]
    }

    /// Everything a load produced, as text: a model reflected field by field, and the rendered problems.
    static func outcome(_ result: RulesLoader.Result) -> String {
        var lines: [String] = []
        for diagnostic in result.diagnostics {
            lines.append(diagnostic.description)
            lines += diagnostic.notes.map { "\($0.mark): note: \($0.message)" }
        }
        if let set = result.rules {
            lines.append(String(reflecting: set.sources))
            lines.append(String(reflecting: set.defaults))
            lines.append(String(reflecting: set.server))
            // A rule's rarely set fields are out of line, where reflection does not look.
            for rule in set.rules {
                lines.append(String(reflecting: (rule, rule.description, rule.retry, rule.timeout, rule.debounce, rule.disableAfter)))
                for case let http as HTTPActionConfig in rule.actions.map(\.config) {
                    lines.append(String(reflecting: (http.basic, http.bearer?.value, http.caFile, http.insecure, http.signingSecret?.value, http.concurrency)))
                }
            }
            lines.append(set.sensitiveValues.sorted().joined(separator: ","))
        }
        return sortingSets(lines.joined(separator: "\n"))
    }

    /// `text` with the elements of each reflected `Set([...])` sorted: two equal sets of a few elements
    /// may list them in different orders.
    static func sortingSets(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "Set(["), let close = rest[open.upperBound...].range(of: "])") {
            out += rest[..<open.upperBound]
            out += rest[open.upperBound..<close.lowerBound].components(separatedBy: ", ").sorted().joined(separator: ", ")
            rest = rest[close.lowerBound...]
        }
        return out + rest
    }

    /// Loads `text` streaming and from the whole tree, on one thread and in halves, and expects one outcome.
    static func expectSameAsWholeTree(_ text: String, file: String = "rules.yml", sourceLocation: SourceLocation = #_sourceLocation) {
        for parallel in [false, true] {
            var whole = RulesLoader(environment: environment)
            whole.decodesRulesWhileParsing = false
            whole.parallelDecoding = parallel
            var streaming = RulesLoader(environment: environment)
            streaming.parallelDecoding = parallel
            let expected = outcome(whole.load(text: text, file: file))
            let actual = outcome(streaming.load(text: text, file: file))
            #expect(actual == expected, "parallel: \(parallel)", sourceLocation: sourceLocation)
        }
    }

    /// How many rules the example has.
    static let exampleRules = 9

    /// The example's rules, `copies` times over with numbered names: a long file of every kind of rule.
    static func longFile(copies: Int, edit: (Int, String) -> String = { $1 }) throws -> String {
        let example = try String(contentsOfFile: root.appendingPathComponent("rules.example.yml").path, encoding: .utf8)
        let parts = example.components(separatedBy: "\nrules:\n")
        try #require(parts.count == 2)
        var text = parts[0] + "\nrules:\n"
        for copy in 0..<copies {
            text += edit(copy, parts[1].replacingOccurrences(of: "\n  - name: ", with: "\n  - name: c\(copy)-"))
        }
        return text
    }

    @Test(arguments: fixtures)
    func aFixtureGivesWhatTheWholeTreeGives(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        Self.expectSameAsWholeTree(text, file: (path as NSString).lastPathComponent)
    }

    @Test func aLongFileGivesWhatTheWholeTreeGives() throws {
        let text = try Self.longFile(copies: 40)
        #expect(text.utf8.count >= YAMLParser.halvesThreshold)
        let result = RulesLoader(environment: Self.environment).load(text: text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.prefix(3))")
        #expect(result.rules?.rules.count == 40 * Self.exampleRules)
        Self.expectSameAsWholeTree(text)
    }

    @Test func problemsAllOverALongFileAreReportedAsTheWholeTreeReportsThem() throws {
        let text = try Self.longFile(copies: 40) { copy, rules in
            switch copy {
            case 2: rules.replacingOccurrences(of: "timeout: 5s", with: "timeout: 5 parsecs")
            case 30: rules.replacingOccurrences(of: "method: PUT", with: "method: PUTT")
            case 35: rules.replacingOccurrences(of: "source: harbor", with: "source: harbour")
            default: rules
            }
        }
        let result = RulesLoader(environment: Self.environment).load(text: text)
        #expect(result.diagnostics.count >= 3)
        Self.expectSameAsWholeTree(text)
    }

    @Test func anUnnamedRuleInTheSecondHalfIsNumberedAsInAOnePassParse() throws {
        let text = try Self.longFile(copies: 40) { copy, rules in
            copy == 35 ? rules.replacingOccurrences(of: "  - name: c35-deploy-web\n", with: "  - description: no name\n") : rules
        }
        let result = RulesLoader(environment: Self.environment).load(text: text)
        let message = try #require(result.diagnostics.first?.message)
        #expect(message == "missing required key 'name' in rule #\(35 * Self.exampleRules + 1)")
        Self.expectSameAsWholeTree(text)
    }

    @Test func keysAfterTheRulesAndASyntaxErrorAfterSomeRulesGiveWhatTheWholeTreeGives() throws {
        let long = try Self.longFile(copies: 40)
        Self.expectSameAsWholeTree(long + "defaults: { timeout: 5 parsecs }\nversion: 2\n")
        Self.expectSameAsWholeTree(long + "  - name: [unclosed\n")
        Self.expectSameAsWholeTree("version: 1\nrules:\n  - {name: a, when: {event: pushh}, do: [{shell: {command: [x]}}]}\n  - name: [\n")
    }

    @Test func anchorsInsideRulesKeepWorking() {
        Self.expectSameAsWholeTree("""
            version: 1
            rules:
              - name: first
                when: &push { event: push, repository: "team/*" }
                do: [&hook { http: { url: "https://hooks.example.com/x", method: PUTT } }]
              - name: second
                when: { <<: *push, tag: "v*" }
                do: [*hook]
            """)
    }

    @Test(arguments: [
        "rules: &all\n  - name: a\n    when: { event: push }\n    do: [{shell: {command: [x]}}]\nextra: *all\n",
        "x: &all\n  - name: a\n    when: { event: pushh }\n    do: [{shell: {command: [x]}}]\nrules: *all\n",
        "rules:\n  - name: a\n    when: { event: pushh }\n    do: [{shell: {command: [x]}}]\nrules:\n  - name: b\n    when: { event: pushh }\n    do: []\n",
        "rules: none\nrules:\n  - name: b\n    when: { event: push }\n    do: []\n",
        "<<: { rules: [{name: a, when: {event: pushh}, do: []}] }\nversion: 1\n",
        "- rules:\n  - name: a\n",
        "{version: 1, rules: [{name: a, when: {event: pushh}, do: [{shell: {command: [x]}}]}, {name: b}]}\n",
    ])
    func aRulesListThatCannotOrNeedNotStreamGivesWhatTheWholeTreeGives(_ text: String) {
        Self.expectSameAsWholeTree(text)
    }

    @Test func theParserHandsOverTheItemsInOrderAndLeavesTheSequenceEmpty() throws {
        var names: [String] = []
        var ended = 0
        let stream = ItemStream(key: "rules", add: { item in
            if case .mapping(let entries) = item.content, let name = entries.first?.value.scalar?.value { names.append(name) }
        }, end: { ended += 1 })
        let text = "version: 1\nrules:\n  - name: a\n  - name: b\n  - name: c\nafter: 1\n"
        let (root, diagnostics, streamed) = try YAMLParser().parse(Array(text.utf8), file: "t.yml", streaming: stream)
        #expect(streamed && diagnostics.isEmpty)
        #expect(names == ["a", "b", "c"])
        #expect(ended == 1)
        guard case .mapping(let entries)? = root?.content, entries.count == 3, case .sequence(let items) = entries[1].value.content else {
            Issue.record("unexpected root: \(String(describing: root))")
            return
        }
        #expect(items.isEmpty)
        #expect(entries[2].key.scalar?.value == "after")
    }

    @Test(arguments: ["rules: &r [a]\n", "x: &r [a]\nrules: *r\n", "- rules: [a]\n", "rules: a\n", "other: [a]\n", "a:\n  rules: [a]\n"])
    func theParserStreamsOnlyAnUnanchoredTopLevelSequence(_ text: String) throws {
        var count = 0
        let (_, _, streamed) = try YAMLParser().parse(Array(text.utf8), file: "t.yml", streaming: ItemStream(key: "rules", add: { _ in count += 1 }, end: { count += 1 }))
        #expect(!streamed)
        #expect(count == 0)
    }
}
