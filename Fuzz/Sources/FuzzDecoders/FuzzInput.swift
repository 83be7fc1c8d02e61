/// How an input's bytes become a webhook request, so the fuzzer drives the headers as well as the body.
import Router
import RuleParser

/// An input is `Name: value` header lines, a NUL byte, then the body. JSON text never holds a raw NUL,
/// so an input without one is a body alone, sent with the headers its sender usually sends.
enum FuzzInput {
    /// The request the input stands for.
    static func payload(_ bytes: [UInt8], kind: SourceKind) -> Payload {
        guard let nul = bytes.firstIndex(of: 0) else { return Payload(body: bytes, headers: usualHeaders(kind)) }
        let text = String(decoding: bytes[..<nul], as: UTF8.self)
        return Payload(body: Array(bytes[(nul + 1)...]), headers: headers(text))
    }

    /// `Name: value` lines; lines without a colon or with an empty name are skipped, as the tests' fixtures are read.
    static func headers(_ text: String) -> [(name: String, value: String)] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = trimmed(line[..<colon])
            return name.isEmpty ? nil : (name, trimmed(line[line.index(after: colon)...]))
        }
    }

    /// The headers of a typical delivery; the event-naming headers (`X-GitHub-Event`, `X-Nexus-Webhook-ID`,
    /// `ce-*`, `x-alin-webhook`) are left to the inputs with a header block, so these exercise the body's own.
    static func usualHeaders(_ kind: SourceKind) -> [(name: String, value: String)] {
        switch kind {
        case .distribution: [("Content-Type", "application/vnd.docker.distribution.events.v1+json")]
        case .cloudevents: [("Content-Type", "application/cloudevents+json")]
        case .ghcr: [("Content-Type", "application/json"), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")]
        case .nexus:
            [("Content-Type", "application/json; charset=UTF-8"),
             ("X-Nexus-Webhook-Delivery", "7f2e3a28-8c1b-4a2e-9d49-2b4a5c6d7e8f")]
        default: [("Content-Type", "application/json")]
        }
    }

    private static func trimmed(_ text: Substring) -> String {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
