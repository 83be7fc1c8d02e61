/// `harbinger explain`: how the rules treat one payload, rule by rule.
import ArgumentParser
import Foundation
import Router

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show how the rules treat a payload: every rule matched or not and why, and the actions that would run.",
        discussion: """
            Decodes FILE as the source NAME would (its kind's format), then for each canonical event \
            lists every rule with 'match' or the first matcher that failed and its value, and the \
            actions that would run with their templates rendered and secrets masked. Nothing is sent.

            Headers: give them with --header 'Name: value' (repeatable); otherwise a file beside the \
            payload with the same name and the extension .headers is read when present (one \
            'Name: value' per line), as in Tests/RouterTests/Fixtures. Use --event - to read stdin.

            --format json prints {"events": [{"event": {...}, "rules": [{"name", "matched", "reason"}], \
            "actions": [{"rule", "type", "target"}]}]}, a stable interface for tools.

            Exit status: 0 explained, 1 invalid rules or a payload the source cannot decode, 2 usage error.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "A rules file, or a directory of rules files.")
    var rules: String

    @Option(help: "The source (by name) the payload arrives through.")
    var source: String

    @Option(help: "The payload file, or - for standard input.")
    var event: String

    @Option(name: .customLong("header"), help: "A request header, 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let set = try RulesLoader.loadOrExit(rules)
        guard let declared = set.source(named: source) else {
            printError("harbinger: no source named '\(source)' in \(rules); sources: \(set.sources.map(\.name).joined(separator: ", "))\n")
            throw ExitCode(2)
        }
        let body: Data
        if event == "-" {
            body = FileHandle.standardInput.readDataToEndOfFile()
        } else if let data = FileManager.default.contents(atPath: event) {
            body = data
        } else {
            printError("harbinger: cannot read \(event)\n")
            throw ExitCode(2)
        }
        let headerList = headers.isEmpty ? (event == "-" ? [] : headersBeside(event) ?? []) : parseHeaderLines(headers.joined(separator: "\n"))
        let payload = Payload(body: [UInt8](body), headers: headerList)
        let events: [Event]
        do {
            events = try SourceDecoders.decode(payload, source: declared)
        } catch where error.isUnsupported {
            print("ignored: \(error); a server answers 200 and runs nothing for such payloads")
            return
        } catch {
            printError("harbinger: \(event): \(error)\n")
            throw ExitCode(1)
        }
        let ruleSet = RuleSet(set)
        let mask = SecretMask(set.sensitiveValues)
        let explanations = events.map { ruleSet.explain($0, mask: mask) }
        switch format {
        case .json:
            print(Explanation.json(explanations).serialized(indent: 2))
        case .text:
            if explanations.isEmpty { print("the payload holds no events (blob events are dropped unless include_blobs is set)") }
            print(explanations.map(\.text).joined(separator: "\n"), terminator: "")
        }
    }
}
