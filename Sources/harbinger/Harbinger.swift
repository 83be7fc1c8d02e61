/// The `harbinger` command: routes container-registry webhooks to actions, and the tools around it.
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

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
        if CommandLine.arguments.dropFirst().first == "serve" {
            // The server's tasks run on NIO's event loops: a request's handler then runs on its connection's
            // thread, with no hop to Swift's own pool and back (ingest went from about 9k to 16k requests/s on
            // a loaded 2-core machine, at the same CPU per request). Long synchronous work (a rules load)
            // must therefore go through `BlockingWork`. Done first, on the main thread, as NIO requires.
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
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
