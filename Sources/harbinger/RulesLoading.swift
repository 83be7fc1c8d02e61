/// Loading rules for commands that need a valid rules set (explain, test, serve).
import ArgumentParser
import Foundation
import Router

extension RulesLoader {
    /// The rules at `path`, or the diagnostics printed to stderr and exit 1 (2 when unreadable).
    static func loadOrExit(_ path: String) throws -> RulesFile {
        let files: [(file: String, bytes: [UInt8])]
        do {
            files = try RulesLoader.read(path: path)
        } catch {
            printError("harbinger: \(error)\n")
            throw ExitCode(2)
        }
        return try loadOrExit(path, files: files)
    }

    /// The rules in `files` (read from `path`), or the diagnostics printed to stderr and exit 1.
    static func loadOrExit(_ path: String, files: [(file: String, bytes: [UInt8])]) throws -> RulesFile {
        let result = RulesLoader().load(files)
        guard let rules = result.rules else {
            let renderer = DiagnosticRenderer(sources: result.texts)
            printError(result.diagnostics.map { renderer.render($0, format: .text) }.joined())
            printError("\(result.diagnostics.count) error\(result.diagnostics.count == 1 ? "" : "s") in \(path)\n")
            throw ExitCode(1)
        }
        return rules
    }
}

/// Reads `Name: value` lines (the fixtures' `.headers` files).
func parseHeaderLines(_ text: String) -> [(name: String, value: String)] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : (name, value)
    }
}

/// The `.headers` file beside a payload file (`push.json` -> `push.headers`), if there is one.
func headersBeside(_ payloadPath: String) -> [(name: String, value: String)]? {
    let base = payloadPath.hasSuffix(".json") ? String(payloadPath.dropLast(5)) : payloadPath
    guard let data = FileManager.default.contents(atPath: base + ".headers") else { return nil }
    return parseHeaderLines(String(decoding: data, as: UTF8.self))
}
