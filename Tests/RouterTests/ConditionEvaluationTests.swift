import Testing
@testable import Router

/// Conditions from real rules text, evaluated against events, with the reasons `explain` shows.
struct ConditionEvaluationTests {
    static func rules(_ when: String) throws -> RuleSet {
        let text = "version: 1\nsources: [{name: harbor, kind: harbor}]\nrules:\n  - name: r\n    when: \(when)\n    do: [{shell: {command: [/bin/true]}}]\n"
        let result = RulesLoader(environment: [:]).load(text: text)
        return RuleSet(try #require(result.rules, "\(result.diagnostics)"))
    }

    static let push = Event(id: "1", source: .harbor, sourceName: "harbor", type: .push, registry: "harbor.example.com",
                            repository: "shop/web", tag: "latest", digest: "sha256:abc", artifact: .image, size: 2_000_000)

    @Test func aSemverRangeNeverMatchesANonSemverTagAndSaysWhy() throws {
        let set = try Self.rules("{tag: {semver: \">=1.0.0\"}}")
        #expect(set.route(Self.push).isEmpty)
        #expect(set.rules[0].when.failure(Self.push) == "tag \"latest\" does not satisfy semver >=1.0.0")
        var release = Self.push
        release.tag = "v1.4.2"
        #expect(set.route(release) == [0])
    }

    @Test func theFirstFailingMatcherIsTheReason() throws {
        let set = try Self.rules("{event: delete, repository: \"other/**\"}")
        #expect(set.rules[0].when.failure(Self.push) == "event push is not delete")
    }

    @Test func missingFieldsAndScansAreReasonsToo() throws {
        #expect(try Self.rules("{actor: \"ci-*\"}").rules[0].when.failure(Self.push) == "actor is missing")
        #expect(try Self.rules("{severity: {at_least: high}}").rules[0].when.failure(Self.push) == "the event has no scan results")
    }

    @Test func severityAndCountsReadTheScan() throws {
        var scanned = Self.push
        scanned.type = .scanCompleted
        scanned.scan = Scan(severity: .high, counts: [.high: 3, .medium: 7], fixable: 4, scanner: "Trivy")
        #expect(try Self.rules("{severity: {below: critical}, vulnerabilities: {high: \">0\", fixable: \"<=4\"}}").route(scanned) == [0])
        let gate = try Self.rules("{severity: {below: high}}")
        #expect(gate.route(scanned).isEmpty)
        #expect(gate.rules[0].when.failure(scanned) == "severity high is not below high")
        #expect(try Self.rules("{vulnerabilities: {total: \"10\"}}").route(scanned) == [0])
    }

    @Test func combinatorsNest() throws {
        let set = try Self.rules("{any: [{tag: stable}, {all: [{namespace: shop}, {not: {size: {above: 1GB}}}]}]}")
        #expect(set.route(Self.push) == [0])
        var huge = Self.push
        huge.size = 2_000_000_000
        #expect(set.route(huge).isEmpty)
    }

    @Test func stopEndsEvaluationAndDisabledRulesNeverMatch() throws {
        let text = """
            version: 1
            rules:
              - {name: a, when: {}, do: [{shell: {command: [x]}}], stop: true}
              - {name: b, when: {}, do: [{shell: {command: [x]}}]}
              - {name: c, enabled: false, when: {}, do: [{shell: {command: [x]}}]}
            """
        let set = RuleSet(try #require(RulesLoader(environment: [:]).load(text: text).rules))
        #expect(set.route(Self.push) == [0])
        #expect(RuleSet(Array(set.rules.dropFirst())).route(Self.push) == [0])
    }

    @Test func theImageReferenceUsesTheTagOrElseTheDigest() {
        #expect(Self.push.image == "harbor.example.com/shop/web:latest")
        var byDigest = Self.push
        byDigest.tag = nil
        #expect(byDigest.image == "harbor.example.com/shop/web@sha256:abc")
        #expect(byDigest.namespace == "shop")
    }
}

@Test func everySourceKindHasExactlyOneDecoder() {
    for kind in SourceKind.allCases {
        #expect(SourceDecoders.all.filter { $0.kind == kind }.count == 1, "\(kind)")
    }
}
