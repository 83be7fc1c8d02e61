/// `${NAME}` and `${NAME:-default}` substitution, done when the rules load.
extension NodeDecoder {
    /// The scalar's text with variables replaced; a missing variable without default is reported
    /// at its `${`. `$${` stands for a literal `${`.
    func substitute(_ scalar: Scalar, at mark: Mark) -> String? {
        let text = scalar.value
        guard text.includes("${") else { return text }
        // The scan works on characters. ASCII text (nearly every value) is scanned on its bytes instead,
        // which is the same thing there without grapheme breaking: each character is one byte, except
        // "\r\n", which never matches '$', '{' or '}'. Steps past "${", "$${" and "}" are byte counts in
        // both cases, since those are whole one-byte characters once matched.
        let ascii = text.utf8.allSatisfy { $0 < 0x80 }
        func starts(_ prefix: String, at index: String.Index) -> Bool {
            ascii ? text.utf8[index...].starts(with: prefix.utf8) : text[index...].hasPrefix(prefix)
        }
        func firstIndex(of character: UInt8, from index: String.Index) -> String.Index? {
            ascii ? text.utf8[index...].firstIndex(of: character) : text[index...].firstIndex(of: Character(Unicode.Scalar(character)))
        }
        var out = ""
        var failed = false
        var index = text.startIndex
        while index < text.endIndex {
            if starts("$${", at: index) {
                out += "${"
                index = text.utf8.index(index, offsetBy: 3)
                continue
            }
            guard starts("${", at: index) else {
                // Copy up to the next '$' in one piece; only a '$' can start a reference.
                let next = firstIndex(of: UInt8(ascii: "$"), from: ascii ? text.utf8.index(after: index) : text.index(after: index)) ?? text.endIndex
                out += text[index..<next]
                index = next
                continue
            }
            // Only errors need the position, so it is worked out only for them.
            let start = index
            func here() -> Mark {
                let offset = text.distance(from: text.startIndex, to: start)
                return self.mark(in: Node(.scalar(scalar), mark: mark), offset: offset, text: text)
            }
            guard let close = firstIndex(of: UInt8(ascii: "}"), from: index) else {
                error("unclosed '${' in value; write '$${' for a literal '${'", at: here())
                return nil
            }
            let body = text[text.utf8.index(index, offsetBy: 2)..<close]
            let (name, fallback) = Self.split(body)
            guard Self.isVariableName(name) else {
                error("'${\(body)}' is not a variable reference; names are letters, digits and '_'", at: here())
                failed = true
                index = text.utf8.index(after: close)
                continue
            }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                if Self.looksSecret(name) { sensitiveValues.insert(value) }
                out += value
            } else if let fallback {
                out += fallback
            } else {
                error("environment variable '\(name)' is not set; set it or give a default with ${\(name):-default}", at: here())
                failed = true
            }
            index = text.utf8.index(after: close)
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

    /// Letters, digits and '_', not starting with a digit; ASCII only. Checked on the bytes, because
    /// `Character.isLetter` looks up Unicode properties and this runs for every `${...}`.
    private static func isVariableName(_ name: Substring) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || isDigit($0) }
    }
}
