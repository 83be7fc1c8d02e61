import Testing
@testable import RuleParser

/// Long rule lists are decoded in two halves at once (`NodeDecoder.parallelRuleCount`); what comes out
/// must be what a one-thread decode gives: every rule in file order, every problem at its place, the
/// source references and secrets of both halves.
@Suite struct ParallelDecodingTests {
    static let count = NodeDecoder.parallelRuleCount * 2 + 1

    static func rulesFile(_ rule: (Int) -> String) -> String {
        var text = """
            version: 1
            sources:
              - { name: hub, kind: dockerhub, auth: { query: token, value: x } }
            rules:

            """
        for index in 0..<count { text += rule(index) }
        return text
    }

    static func plainRule(_ index: Int) -> String {
        """
          - name: rule-\(index)
            when: { source: hub, repository: "team-\(index)/*" }
            do:
              - http: { url: "https://hooks.example.com/\(index)", headers: { X-Token: "${HOOK_TOKEN_\(index):-t\(index)}" } }

        """
    }

    @Test func everyRuleComesOutInFileOrder() throws {
        let result = RulesLoader(environment: [:]).load(text: Self.rulesFile(Self.plainRule))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.prefix(3))")
        let rules = try #require(result.rules)
        #expect(rules.rules.map(\.name) == (0..<Self.count).map { "rule-\($0)" })
    }

    @Test func secretsFromBothHalvesAreMasked() throws {
        let environment = ["HOOK_TOKEN_1": "first-half-secret", "HOOK_TOKEN_\(Self.count - 1)": "second-half-secret"]
        let result = RulesLoader(environment: environment).load(text: Self.rulesFile(Self.plainRule))
        let rules = try #require(result.rules)
        #expect(rules.sensitiveValues.isSuperset(of: ["first-half-secret", "second-half-secret"]))
    }

    @Test func problemsInBothHalvesAreReportedAsOneThreadReportsThem() throws {
        let late = Self.count - 2
        let text = Self.rulesFile { index in
            switch index {
            case 3: "  - name: rule-3\n    when: { repository: \"a/[b\" }\n    do: [{ shell: { command: [x] } }]\n"
            case late: "  - name: rule-\(late)\n    when: { source: hbu }\n    do: [{ shell: { command: [x] }, http: {} }]\n"
            case late - 2: "  - name: rule-\(late - 2)\n    when: { event: push }\n    do: [{ shell: { comand: [x] } }]\n"
            case late + 1: "  - name: rule-5\n    when: { event: push }\n    do: [{ shell: { command: [x] } }]\n"
            default: Self.plainRule(index)
            }
        }
        var serial = RulesLoader(environment: [:])
        serial.parallelDecoding = false
        let expected = serial.load(text: text)
        let result = RulesLoader(environment: [:]).load(text: text)
        #expect(result.rules == nil)
        #expect(result.diagnostics.map(\.description) == expected.diagnostics.map(\.description))
        // Both halves' problems are there: the glob (first half), the rest (second half and the merge).
        let messages = result.diagnostics.map(\.message)
        try #require(messages.count == 5, "\(messages)")
        #expect(messages[0].contains("'rule-3'") && messages[0].contains("unclosed '['"))
        #expect(messages[1].contains("'comand'"))
        #expect(messages[2].contains("'hbu'"))
        #expect(messages[3].contains("names one action"))
        #expect(messages[4].contains("duplicate rule name 'rule-5'"))
        #expect(result.diagnostics.map(\.mark.line) == result.diagnostics.map(\.mark.line).sorted())
    }

    /// Loads `text` in one thread and in halves, and expects the same outcome.
    static func expectSameAsOneThread(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var serial = RulesLoader(environment: [:])
        serial.parallelDecoding = false
        let expected = serial.load(text: text)
        let result = RulesLoader(environment: [:]).load(text: text)
        #expect(result.diagnostics.map(\.description) == expected.diagnostics.map(\.description), sourceLocation: sourceLocation)
        #expect(result.rules?.rules.map(\.name) == expected.rules?.rules.map(\.name), sourceLocation: sourceLocation)
    }

    @Test func aLongRulesFileIsParsedInHalves() throws {
        let bytes = Array(Self.rulesFile(Self.plainRule).utf8)
        let cut = try #require(YAMLParser.cut(bytes, key: "rules"))
        #expect(cut.keyLine == 4)
        #expect(bytes[cut.offset..<cut.offset + 10].elementsEqual("  - name: ".utf8))
        let halves = try #require(YAMLParser().parseInHalves(bytes, file: "rules.yml", key: "rules"))
        let whole = try YAMLParser().parse(bytes, file: "rules.yml")
        guard case .mapping(let entries)? = halves.root?.content, case .sequence(let items) = entries.last?.value.content,
              case .mapping(let wholeEntries)? = whole.root?.content, case .sequence(let wholeItems) = wholeEntries.last?.value.content
        else { Issue.record("not a rules file"); return }
        #expect(items.count == Self.count)
        #expect(items.map(\.mark) == wholeItems.map(\.mark))
    }

    @Test func aSyntaxErrorInTheSecondHalfIsReportedWhereItIs() {
        Self.expectSameAsOneThread(Self.rulesFile { $0 == Self.count - 3 ? "  - name: [unclosed\n" : Self.plainRule($0) })
    }

    @Test func aDuplicateKeyInTheSecondHalfIsReportedWhereItIs() {
        Self.expectSameAsOneThread(Self.rulesFile {
            $0 == Self.count - 3 ? "  - name: twice\n    name: again\n    when: { event: push }\n    do: [{ shell: { command: [x] } }]\n" : Self.plainRule($0)
        })
    }

    @Test func keysAfterTheRulesAndAnchorsAcrossTheHalvesAreReadAsOneParseReadsThem() {
        Self.expectSameAsOneThread(Self.rulesFile(Self.plainRule) + "defaults: { timeout: 5s }\nserver: { listen: 'nope' }\n")
        Self.expectSameAsOneThread(Self.rulesFile {
            switch $0 {
            case 1: "  - name: anchored\n    when: &when { event: push }\n    do: [{ shell: { command: [x] } }]\n"
            case Self.count - 1: "  - name: aliased\n    when: *when\n    do: [{ shell: { command: [y] } }]\n"
            default: Self.plainRule($0)
            }
        })
    }
}
