/// `${NAME}` and `${NAME:-default}` substitution, done when the rules load.
extension NodeDecoder {
    /// The scalar's text with variables replaced; a missing variable without default is reported
    /// at its `${`. `$${` stands for a literal `${`.
    func substitute(_ scalar: Scalar, at mark: Mark) -> String? {
        let text = scalar.value
        guard text.includes("${") else { return text }
        var out = ""
        var failed = false
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("$${") {
                out += "${"
                index = text.index(index, offsetBy: 3)
                continue
            }
            guard rest.hasPrefix("${") else {
                out.append(text[index])
                index = text.index(after: index)
                continue
            }
            let offset = text.distance(from: text.startIndex, to: index)
            let here = self.mark(in: Node(.scalar(scalar), mark: mark), offset: offset, text: text)
            guard let close = rest.firstIndex(of: "}") else {
                error("unclosed '${' in value; write '$${' for a literal '${'", at: here)
                return nil
            }
            let body = text[text.index(index, offsetBy: 2)..<close]
            let (name, fallback) = Self.split(body)
            guard Self.isVariableName(name) else {
                error("'${\(body)}' is not a variable reference; names are letters, digits and '_'", at: here)
                failed = true
                index = text.index(after: close)
                continue
            }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                if Self.looksSecret(name) { sensitiveValues.insert(value) }
                out += value
            } else if let fallback {
                out += fallback
            } else {
                error("environment variable '\(name)' is not set; set it or give a default with ${\(name):-default}", at: here)
                failed = true
            }
            index = text.index(after: close)
        }
        return failed ? nil : out
    }

    /// Variable names whose values are treated as secrets in `explain` output and logs.
    static func looksSecret(_ name: Substring) -> Bool {
        let upper = name.uppercased()
        return ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "KEY", "AUTH", "CREDENTIAL"].contains { upper.contains($0) }
    }

    private static func split(_ body: Substring) -> (Substring, Substring?) {
        guard let separator = body.range(of: ":-") else { return (body, nil) }
        return (body[..<separator.lowerBound], body[separator.upperBound...])
    }

    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.first, first == "_" || first.isASCII && first.isLetter else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
