/// A routing benchmark's input: a generated rules file compiled into a `RuleSet`, and one push event.
import Foundation
import Router

struct RoutingScenario: Sendable {
    /// What went wrong while preparing a scenario.
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// The compiled rules.
    let ruleSet: RuleSet
    /// The event routed on every iteration.
    let event: Event
    /// The rules it matches, for the log.
    let matched: [Int]

    /// The push every routing benchmark routes: a tagged image of a team that exists at 10,000 rules.
    static let pushEvent = Event(
        source: .harbor, sourceName: "harbor", type: .push, registry: "harbor.example.com",
        repository: "team-42/app-3", tag: "1.2.3",
        digest: "sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498",
        mediaType: "application/vnd.oci.image.manifest.v1+json", artifact: .image, size: 52_428_800,
        actor: "ci-bot", occurredAt: "2026-01-15T10:00:00Z"
    )

    /// Generates `count` rules with `bench/gen-rules.py`, loads them with an empty environment and compiles them.
    init(rules count: Int) throws {
        let text = try RoutingScenario.generatedRules(count)
        let result = RulesLoader(environment: [:]).load(text: text, file: "rules-\(count).yml")
        guard let file = result.rules else {
            let first = result.diagnostics.prefix(3).map { "\($0)" }.joined(separator: "\n")
            throw SetupError(description: "the generated \(count)-rule file did not load:\n\(first)")
        }
        guard file.rules.count == count else {
            throw SetupError(description: "expected \(count) rules, loaded \(file.rules.count)")
        }
        ruleSet = RuleSet(file)
        event = RoutingScenario.pushEvent
        matched = ruleSet.route(event)
        // The index must not change the answer, or we would be timing the wrong thing.
        guard matched == ruleSet.routeByScanning(event) else {
            throw SetupError(description: "route and routeByScanning disagree at \(count) rules")
        }
    }

    /// The repository root, found from this file's path (Benchmarks/Benchmarks/Routing/<file>).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The output of `python3 bench/gen-rules.py count`.
    static func generatedRules(_ count: Int) throws -> String {
        let script = repositoryRoot.appendingPathComponent("bench/gen-rules.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(count)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SetupError(description: "python3 \(script) \(count) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The scenarios, built lazily (a benchmark process builds only the size it runs) and once.
enum RoutingScenarios {
    /// The rule counts benchmarked.
    static let sizes = [10, 1_000, 10_000]

    private static let ten = Result { try RoutingScenario(rules: 10) }
    private static let thousand = Result { try RoutingScenario(rules: 1_000) }
    private static let tenThousand = Result { try RoutingScenario(rules: 10_000) }

    /// The scenario with `count` rules.
    static func scenario(rules count: Int) -> Result<RoutingScenario, any Error> {
        switch count {
        case 10: ten
        case 1_000: thousand
        case 10_000: tenThousand
        default: .failure(RoutingScenario.SetupError(description: "no scenario with \(count) rules"))
        }
    }
}
