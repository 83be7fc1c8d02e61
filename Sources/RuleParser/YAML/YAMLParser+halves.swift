/// Parsing a long file in two halves at once, one per core.
import Foundation

extension YAMLParser {
    /// Files at least this long are worth cutting in two.
    static let halvesThreshold = 128 << 10

    /// Parses a file that ends in a long block sequence under the top-level key `key` (a rules file's
    /// `rules:`) in two halves at once: the text up to an item in the middle of the sequence, and
    /// `key:` followed by the rest. The second half's items are appended to the first half's sequence.
    ///
    /// Returns nil when the file cannot be cut safely, and the caller parses it whole: no such
    /// sequence, another top-level key before the cut, a syntax error in either half (so the error is
    /// reported as a whole parse reports it), anchors or aliases (an alias may name an anchor of the
    /// other half, and the expansion limit counts the whole file), or any other shape than expected.
    func parseInHalves(_ bytes: [UInt8], file: String, key: String) -> (root: Node?, diagnostics: [Diagnostic])? {
        parseInHalves(bytes, file: file, key: key, streams: nil)
    }

    /// Like `parseInHalves(_:file:key:)`, but each half hands the sequence's items to its own stream as
    /// they are complete (see `parse(_:file:streaming:)`), on the thread that parses it: `streams.first`
    /// gets the items before the cut, `streams.second` the rest. The sequence is empty in the root.
    /// When this returns nil, the streams may have received items, which the caller drops.
    func parseInHalves(_ bytes: [UInt8], file: String, key: String, streaming streams: (first: ItemStream, second: ItemStream))
        -> (root: Node?, diagnostics: [Diagnostic])? {
        parseInHalves(bytes, file: file, key: key, streams: streams)
    }

    private func parseInHalves(_ bytes: [UInt8], file: String, key: String, streams: (first: ItemStream, second: ItemStream)?)
        -> (root: Node?, diagnostics: [Diagnostic])? {
        guard bytes.count >= Self.halvesThreshold, let cut = Self.cut(bytes, key: key) else { return nil }
        let halves = [
            HalfParse(ParseSession(bytes: Array(bytes[..<cut.offset]), file: file, parser: self, stream: streams?.first)),
            HalfParse(ParseSession(bytes: Array((key + ":\n").utf8) + bytes[cut.offset...], file: file, parser: self,
                                   lineOffset: cut.line - 2, stream: streams?.second)),
        ]
        DispatchQueue.concurrentPerform(iterations: 2) { halves[$0].run() }
        guard case .success(let first)? = halves[0].result, case .success(let second)? = halves[1].result,
              !first.usesAnchors, !second.usesAnchors,
              let root = first.root, case .mapping(var entries) = root.content,
              let last = entries.last, last.key.scalar?.value == key, last.key.mark.line == cut.keyLine,
              case .sequence(let items) = last.value.content,
              case .mapping(let rest)? = second.root?.content, rest.count == 1, rest[0].key.scalar?.value == key,
              case .sequence(let moreItems) = rest[0].value.content,
              streams == nil || (first.streamedKey?.line == cut.keyLine && second.streamedKey != nil)
        else { return nil }
        entries[entries.count - 1] = MappingEntry(key: last.key, value: Node(.sequence(items + moreItems), mark: last.value.mark))
        return (Node(.mapping(entries), mark: root.mark), first.diagnostics + second.diagnostics)
    }

    /// Where to cut: the first item of the sequence under `key` that starts at or after the middle of
    /// the file, found by looking at indentation only. `key:` must stand alone on a line at column 0,
    /// its items start with `- ` at one indentation, and no other top-level line may come between
    /// `key:` and the cut. Anything the line scan cannot see (an item inside a multi-line string, say)
    /// makes the first half fail to parse, and the whole file is parsed instead.
    static func cut(_ bytes: [UInt8], key: String) -> (offset: Int, line: Int, keyLine: Int)? {
        let keyBytes = Array(key.utf8) + [UInt8(ascii: ":")]
        let middle = bytes.count / 2
        var keyLine: Int?
        var itemIndent: Int?
        var start = 0
        var line = 1
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var indent = 0
            while start + indent < end, bytes[start + indent] == UInt8(ascii: " ") { indent += 1 }
            let first = start + indent < end ? bytes[start + indent] : nil
            let isBlank = first == nil || first == UInt8(ascii: "#") || first == UInt8(ascii: "\r")
            let next = start + indent + 1 < end ? bytes[start + indent + 1] : nil
            let isItem = first == UInt8(ascii: "-") && (next == nil || next == UInt8(ascii: " ") || next == UInt8(ascii: "\r"))
            if !isBlank {
                if keyLine == nil {
                    if indent == 0, bytes[start..<end].starts(with: keyBytes),
                       bytes[(start + keyBytes.count)..<end].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                        keyLine = line
                    }
                } else if let itemIndent {
                    if indent == 0, !(itemIndent == 0 && isItem) { return nil }
                    if start >= middle, indent == itemIndent, isItem { return (start, line, keyLine ?? 0) }
                } else {
                    guard isItem else { return nil }
                    itemIndent = indent
                }
            }
            start = end + 1
            line += 1
        }
        return nil
    }
}

/// One half's parse and its outcome. Unchecked: each is used by one thread inside
/// `concurrentPerform`, and read by the caller only after that returns.
private final class HalfParse: @unchecked Sendable {
    let session: ParseSession
    var result: Result<ParseSession.Outcome, Diagnostic>?

    init(_ session: ParseSession) {
        self.session = session
    }

    func run() {
        result = Result { () throws(Diagnostic) in try session.outcome() }
    }
}
