/// `explain`'s two output formats: text for people and a stable JSON shape for tools.
extension Explanation {
    /// `{"event": {...}, "rules": [{"name", "matched", "reason"}], "actions": [{"rule", "type", "target"}]}`.
    public var json: JSON {
        .object([
            ("event", event.json),
            ("rules", .array(rules.map { verdict in
                .object([("name", .string(verdict.name)), ("matched", .bool(verdict.matched)),
                         ("reason", verdict.reason.map { .string($0) } ?? .null)])
            })),
            ("actions", .array(actions.map { action in
                .object([("rule", .string(action.rule)), ("type", .string(action.type)), ("target", .string(action.target))])
            })),
        ])
    }

    /// The document for several events: `{"events": [...]}`.
    public static func json(_ explanations: [Explanation]) -> JSON {
        .object([("events", .array(explanations.map(\.json)))])
    }

    /// A readable report of the event, each rule's verdict and the actions.
    public var text: String {
        var out = "event \(event.type.rawValue) \(event.image)\n"
        out += "  id \(event.id), source \(event.sourceName) (\(event.source.rawValue))"
        if let scan = event.scan { out += ", scan \(scan.severity.name)" }
        out += "\n"
        for verdict in rules {
            out += verdict.matched ? "  match    \(verdict.name)\n" : "  no match \(verdict.name): \(verdict.reason ?? "")\n"
        }
        if actions.isEmpty {
            out += "  no actions would run\n"
        } else {
            out += "  actions:\n"
            for action in actions { out += "    \(action.rule): \(action.type) \(action.target)\n" }
        }
        return out
    }
}
