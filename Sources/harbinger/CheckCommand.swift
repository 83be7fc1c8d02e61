/// `harbinger check`: validate a rules file or directory and report every problem.
import ArgumentParser
import Foundation
import RuleParser

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a rules file, or a directory of *.yml/*.yaml rules files.",
        discussion: """
            Reports every problem in one run, each as 'file:line:col: error: message' followed by the \
            offending line and a caret under the column. ${NAME} references are resolved from the \
            environment, so run it with the variables the server will have.

            Exit status: 0 when the rules are valid, 1 when they are not, 2 on a usage error \
            (including a path that cannot be read).

            Use --format github in a GitHub Actions workflow to annotate the pull request.
            """
    )

    @Argument(help: "A rules file, or a directory of rules files.")
    var rules: String

    @Option(help: "Output format: text (with source excerpts) or github (workflow annotations).")
    var format: DiagnosticRenderer.Format = .text

    func run() throws {
        let result: RulesLoader.Result
        do {
            var loader = RulesLoader()
            loader.releasesTreeInBackground = true
            result = try loader.load(path: rules)
        } catch {
            printError("harbinger: \(error)\n")
            throw ExitCode(2)
        }
        guard let set = result.rules else {
            let renderer = DiagnosticRenderer(sources: result.texts)
            let output = result.diagnostics.map { renderer.render($0, format: format) }.joined()
            if format == .github { print(output, terminator: "") } else { printError(output) }
            let count = result.diagnostics.count
            printError("\(count) error\(count == 1 ? "" : "s") in \(rules)\n")
            throw ExitCode(1)
        }
        let disabled = set.rules.filter { !$0.enabled }.count
        print("\(rules): OK: \(set.sources.count) source\(set.sources.count == 1 ? "" : "s"), \(set.rules.count) rule\(set.rules.count == 1 ? "" : "s")\(disabled > 0 ? " (\(disabled) disabled)" : "")")
        // The process ends next: ten thousand rules need not be freed one by one on the way out.
        RulesLoader.releaseInBackground(result)
    }
}

extension DiagnosticRenderer.Format: ExpressibleByArgument {}
