import Testing
@testable import RuleParser

private func parse(_ text: String) throws -> (Node?, [Diagnostic]) {
    try YAMLParser().parse(text, file: "t.yml")
}

private func mapping(_ node: Node?) -> [String: Node] {
    guard case .mapping(let entries)? = node?.content else { return [:] }
    return Dictionary(entries.map { ($0.key.scalar?.value ?? "", $0.value) }, uniquingKeysWith: { a, _ in a })
}

@Test func nodesKeepOneBasedLineAndColumn() throws {
    let (root, _) = try parse("version: 1\nrules:\n  - name: deploy\n")
    let rules = mapping(root)["rules"]
    guard case .sequence(let items)? = rules?.content else { Issue.record("rules is not a sequence"); return }
    let name = mapping(items.first)["name"]
    #expect(name?.mark == Mark(file: "t.yml", line: 3, column: 11))
    #expect(name?.scalar?.value == "deploy")
}

@Test func yesNoOnOffStayStrings() throws {
    let (root, _) = try parse("a: yes\nb: on\nc: no\n")
    #expect(mapping(root)["b"]?.scalar?.value == "on")
    #expect(mapping(root)["b"]?.scalar?.isNull == false)
}

@Test func quotedAndMultiLineScalarsKeepTheirText() throws {
    let text = "a: 'it''s'\nb: \"tab\\there\"\nc: |\n  line one\n  line two\nd: >\n  folded\n  text\n"
    let (root, _) = try parse(text)
    let m = mapping(root)
    #expect(m["a"]?.scalar?.value == "it's")
    #expect(m["a"]?.scalar?.style == .singleQuoted)
    #expect(m["b"]?.scalar?.value == "tab\there")
    #expect(m["c"]?.scalar?.value == "line one\nline two\n")
    #expect(m["d"]?.scalar?.value == "folded text\n")
}

@Test func flowAndBlockStylesGiveTheSameTree() throws {
    let (flow, _) = try parse("when: {event: [push, delete], tag: latest}\n")
    let (block, _) = try parse("when:\n  event:\n    - push\n    - delete\n  tag: latest\n")
    let f = mapping(mapping(flow)["when"]), b = mapping(mapping(block)["when"])
    #expect(f.keys.sorted() == b.keys.sorted())
    #expect(f["tag"]?.scalar?.value == b["tag"]?.scalar?.value)
}

@Test func aliasesRepeatTheAnchoredNode() throws {
    let (root, _) = try parse("base: &b {event: push}\nother: *b\n")
    #expect(mapping(mapping(root)["other"])["event"]?.scalar?.value == "push")
}

@Test func mergeKeysAddKeysThatAreNotSetExplicitly() throws {
    let text = "base: &b {event: push, tag: latest}\nrule:\n  <<: *b\n  tag: stable\n"
    let (root, problems) = try parse(text)
    let rule = mapping(mapping(root)["rule"])
    #expect(problems.isEmpty)
    #expect(rule["event"]?.scalar?.value == "push")
    #expect(rule["tag"]?.scalar?.value == "stable")
    #expect(rule["<<"] == nil)
}

@Test func mergeKeyListsPreferEarlierMappings() throws {
    let text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n"
    let (root, _) = try parse(text)
    let c = mapping(mapping(root)["c"])
    #expect(c["x"]?.scalar?.value == "1")
    #expect(c["y"]?.scalar?.value == "2")
}

@Test func duplicateKeysAreReportedAtTheSecondWithANoteAtTheFirst() throws {
    let (_, problems) = try parse("a: 1\nb: 2\na: 3\n")
    #expect(problems.count == 1)
    #expect(problems.first?.description == "t.yml:3:1: error: duplicate key 'a'")
    #expect(problems.first?.notes.first?.mark == Mark(file: "t.yml", line: 1, column: 1))
}

@Test func aliasExpansionIsBounded() throws {
    var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    var previous = "a"
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        previous = name
    }
    #expect(throws: Diagnostic.self) { try parse(text) }
}

@Test func deepNestingIsAnErrorNotACrash() throws {
    let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    #expect(throws: Diagnostic.self) { try parse(text) }
}

@Test func syntaxErrorsComeAtLibyamlsProblemMark() throws {
    do throws(Diagnostic) {
        _ = try YAMLParser().parse("a: 'unclosed\nb: 2\n", file: "t.yml")
        Issue.record("expected a syntax error")
    } catch {
        #expect(error.mark.line == 3)
        #expect(error.message.contains("quoted scalar"))
    }
}

@Test func invalidUTF8IsASyntaxError() throws {
    #expect(throws: Diagnostic.self) { try YAMLParser().parse([0x61, 0x3A, 0x20, 0xFF, 0xFE, 0x0A], file: "t.yml") }
}

@Test func anEmptyDocumentHasNoRoot() throws {
    let (root, problems) = try parse("# only a comment\n")
    #expect(root == nil)
    #expect(problems.isEmpty)
}
