/// Loads the registry webhook fixtures (`Fixtures/<dir>/<name>.json` and `.headers`) as payloads.
import Foundation
@testable import Router

/// The directory holding the fixtures, found from this file's path (the target declares no resources).
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// The request stored as `Fixtures/<dir>/<name>.json` with the headers of `<name>.headers` (if any).
func fixture(_ dir: String, _ name: String) throws -> Payload {
    let base = fixturesDirectory.appendingPathComponent(dir).appendingPathComponent(name)
    let body = try Data(contentsOf: base.appendingPathExtension("json"))
    let headersURL = base.appendingPathExtension("headers")
    var headers: [(name: String, value: String)] = []
    if FileManager.default.fileExists(atPath: headersURL.path) {
        headers = parseHeaders(try String(contentsOf: headersURL, encoding: .utf8))
    }
    return Payload(body: Array(body), headers: headers)
}

/// `Name: value` lines as header pairs; blank lines and lines without a colon are skipped.
func parseHeaders(_ text: String) -> [(name: String, value: String)] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : (name, value)
    }
}

/// A payload from literal JSON text and optional headers, for malformed-input tests.
func payload(_ json: String, headers: [(name: String, value: String)] = []) -> Payload {
    Payload(body: Array(json.utf8), headers: headers)
}
