import Foundation
import Testing
@testable import RuleParser

/// Each `Invalid/NAME.yml` must produce exactly the diagnostics pinned in `Invalid/NAME.expected`.
/// Set HARBINGER_UPDATE_EXPECTED=1 to rewrite the expectations after a deliberate message change.
struct InvalidFilesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Invalid")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }

    static func rendered(_ name: String) throws -> String {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
        let result = RulesLoader(environment: ["HOOK_TOKEN": "tok-value"]).load([(name, bytes)])
        var lines: [String] = []
        for diagnostic in result.diagnostics {
            lines.append(diagnostic.description)
            lines += diagnostic.notes.map { "\($0.mark): note: \($0.message)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func thereAreAtLeastThirtyInvalidFiles() {
        #expect(Self.cases.count >= 30)
    }

    @Test(arguments: cases)
    func invalidFileGivesItsPinnedErrors(_ name: String) throws {
        let actual = try Self.rendered(name)
        let expectedURL = Self.directory.appendingPathComponent(name.replacingOccurrences(of: ".yml", with: ".expected"))
        if ProcessInfo.processInfo.environment["HARBINGER_UPDATE_EXPECTED"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual != "\n", "\(name) loaded without errors")
        #expect(actual == expected)
    }
}
