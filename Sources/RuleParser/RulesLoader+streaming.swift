/// Parsing a rules file with its rules decoded while the parse runs.

extension RulesLoader {
    /// Parses one file, decoding the items of its `rules:` as the parser completes them (see
    /// `RuleStream`): in two halves at once when the file is long and its shape allows, else in one
    /// pass. The streams hold the rules; when there are none, the rules are in the returned tree (an
    /// aliased or anchored `rules:` sequence), and `fileContent` decodes them from there.
    func parse(_ bytes: [UInt8], file: String, decoder: NodeDecoder) throws(Diagnostic)
        -> (root: Node?, problems: [Diagnostic], streams: [RuleStream]) {
        guard decodesRulesWhileParsing else {
            let halves = parallelDecoding ? parser.parseInHalves(bytes, file: file, key: "rules") : nil
            let (root, problems) = if let halves { halves } else { try parser.parse(bytes, file: file) }
            return (root, problems, [])
        }
        func stream() -> RuleStream {
            RuleStream(decoder: NodeDecoder(environment: decoder.environment, readFile: decoder.readFile))
        }
        if parallelDecoding {
            let first = stream(), second = stream()
            // The second half cannot know its items' positions: a problem in a rule known only by its
            // position (`rule #N`) needs the one-pass parse to be reported right.
            if let (root, problems) = parser.parseInHalves(bytes, file: file, key: "rules", streaming: (first.items, second.items)),
               !second.reportedByPosition {
                return (root, problems, [first, second])
            }
        }
        let whole = stream()
        let (root, problems, streamed) = try parser.parse(bytes, file: file, streaming: whole.items)
        return (root, problems, streamed ? [whole] : [])
    }
}

extension NodeDecoder.FileContent {
    /// Takes in the rules that `streams` decoded, with their problems, source references and secrets,
    /// in file order; problems are recorded after those `decoder` found in the rest of the file.
    mutating func add(_ streams: [RuleStream], to decoder: NodeDecoder) {
        guard !streams.isEmpty else { return }
        rules = streams.count == 1 ? streams[0].rules : streams.flatMap(\.rules)
        for stream in streams {
            sourceReferences += stream.sourceReferences
            decoder.record(stream.decoder.diagnostics)
            decoder.sensitiveValues.formUnion(stream.decoder.sensitiveValues)
        }
    }
}
