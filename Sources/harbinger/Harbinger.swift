/// The `harbinger` command: routes container-registry webhooks to actions, and the tools around it.
import ArgumentParser
import Foundation

@main
struct Harbinger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harbinger",
        abstract: "Route container-registry events to HTTP calls, scripts and replications.",
        discussion: "Rules live in a YAML file (or a directory of them) kept in Git. Start with 'harbinger check RULES'.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, CheckCommand.self, ExplainCommand.self, RuleTestCommand.self, DeliveriesCommand.self,
            ReplayCommand.self, SendTestCommand.self, PauseCommand.self, ResumeCommand.self, ReplicateCommand.self,
            SchemaCommand.self,
        ]
    )

    /// Runs the command; usage errors exit 2, as `check`'s contract says (ArgumentParser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Writes text to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
