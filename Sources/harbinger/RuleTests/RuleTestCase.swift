/// Rule unit tests: the YAML test-file format of `harbinger test`, decoded with positions.
import Foundation
import Router

/// One test case: a payload through a source, and what the rules must do with it.
struct RuleTestCase {
    /// An action the case expects to be rendered.
    struct ExpectedAction {
        var rule: String
        var type: String?
        var target: String?
    }

    var name: String
    var mark: Mark
    var source: String
    var payload: Payload
    var events: Int?
    var matched: [String]
    var notMatched: [String]
    var actions: [ExpectedAction]
}

extension NodeDecoder {
    /// Decodes a test file: `tests: [{name, source, payload | payload_file, headers, expect}]`.
    func ruleTests(_ root: Node?, file: String) -> [RuleTestCase] {
        guard let root, let top = fields(root, "the test file", keys: ["tests"]),
              let list = required(top, "tests").flatMap({ self.list($0, "tests", allowSingle: false) }) else {
            if root == nil { error("the test file is empty; it needs 'tests:'", at: Mark(file: file, line: 1, column: 1)) }
            return []
        }
        return list.enumerated().compactMap { index, node in ruleTest(node, index: index, file: file) }
    }

    private func ruleTest(_ node: Node, index: Int, file: String) -> RuleTestCase? {
        let keys = ["name", "source", "payload", "payload_file", "headers", "expect"]
        guard let f = fields(node, "test #\(index + 1)", keys: keys) else { return nil }
        let name = f["name"].flatMap { nonEmptyString($0, "name of test #\(index + 1)") } ?? "test #\(index + 1)"
        let what = "test '\(name)'"
        guard let source = required(f, "source").flatMap({ nonEmptyString($0, "source of \(what)") }) else { return nil }
        var headers: [(name: String, value: String)]? = f["headers"].flatMap { stringMap($0, "headers of \(what)") }?.map { ($0.key, $0.value) }
        let body: [UInt8]
        switch (f["payload"], f["payload_file"]) {
        case (let inline?, nil):
            if case .scalar(let scalar) = inline.content { body = Array(scalar.value.utf8) } else { body = Array(inline.jsonText.utf8) }
        case (nil, let pathNode?):
            guard let path = nonEmptyString(pathNode, "payload_file of \(what)") else { return nil }
            let resolved = path.hasPrefix("/") ? path : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: resolved) else {
                error("cannot read payload_file '\(path)'", at: pathNode.mark)
                return nil
            }
            body = [UInt8](data)
            if headers == nil { headers = headersBeside(resolved) }
        case (_?, _?):
            error("\(what) gives both payload and payload_file; keep one", at: node.mark)
            return nil
        case (nil, nil):
            error("\(what) needs payload or payload_file", at: node.mark)
            return nil
        }
        var test = RuleTestCase(name: name, mark: node.mark, source: source, payload: Payload(body: body, headers: headers ?? []),
                                events: nil, matched: [], notMatched: [], actions: [])
        guard let expectNode = required(f, "expect"),
              let e = fields(expectNode, "expect of \(what)", keys: ["events", "matched", "not_matched", "actions"]) else { return nil }
        test.events = e["events"].flatMap { int($0, "events in \(what)") }
        test.matched = names(e["matched"], "matched in \(what)")
        test.notMatched = names(e["not_matched"], "not_matched in \(what)")
        for item in e["actions"].flatMap({ list($0, "actions in \(what)", allowSingle: false) }) ?? [] {
            guard let a = fields(item, "expected action in \(what)", keys: ["rule", "type", "target"]),
                  let rule = required(a, "rule").flatMap({ nonEmptyString($0, "rule of an expected action") }) else { continue }
            test.actions.append(.init(rule: rule, type: a["type"].flatMap { string($0, "type") }, target: a["target"].flatMap { string($0, "target") }))
        }
        return test
    }

    private func names(_ node: Node?, _ what: String) -> [String] {
        guard let node, let items = list(node, what) else { return [] }
        return items.compactMap { string($0, what) }
    }
}

extension Node {
    /// The node as JSON text, for inline payloads written as YAML: unquoted numbers, booleans
    /// and null keep their JSON types, everything else is a string.
    var jsonText: String {
        switch content {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if scalar.isNull { return "null" }
                if scalar.value == "true" || scalar.value == "false" || Double(scalar.value) != nil { return scalar.value }
            }
            var out = ""
            JSON.writeString(scalar.value, to: &out)
            return out
        case .sequence(let items):
            return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .mapping(let entries):
            return "{" + entries.map { entry in
                var key = ""
                JSON.writeString(entry.key.scalar?.value ?? "", to: &key)
                return key + ":" + entry.value.jsonText
            }.joined(separator: ",") + "}"
        }
    }
}
