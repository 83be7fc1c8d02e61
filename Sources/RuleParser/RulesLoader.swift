/// Loads a rules file or a directory of them: parse, decode, check across files.
import Foundation

/// Reads rules from disk or from text, reporting every problem with its position.
public struct RulesLoader: Sendable {
    /// What a load produced: the rules when there were no problems, and the texts for rendering errors.
    public struct Result: Sendable {
        /// The rules set, nil when any problem was found.
        public var rules: RulesFile?
        /// Every problem, sorted by position.
        public var diagnostics: [Diagnostic]
        /// Each file's text, keyed by its name in the marks; empty when there are no diagnostics.
        public var texts: [String: String]
    }

    /// A rules path that cannot be read at all (a usage error rather than a rules error).
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        public let description: String

        /// Creates an error.
        public init(description: String) {
            self.description = description
        }
    }

    /// Variables for `${NAME}`.
    public var environment: [String: String]
    /// The YAML parser and its limits.
    public var parser = YAMLParser()
    /// Whether a long rules file may be parsed and decoded on two threads (see `YAMLParser.parseInHalves`
    /// and `NodeDecoder.rules`); on by default.
    public var parallelDecoding = true
    /// Whether `rules:` items are decoded as the parser completes them (see `RuleStream`); off, the
    /// whole tree is built first and decoded after, as a fallback does. Internal: for tests comparing the two.
    var decodesRulesWhileParsing = true
    /// Whether the YAML node tree is freed on another thread after decoding instead of before `load`
    /// returns. Off by default: a server trims its heap right after a load and needs the tree gone by
    /// then. `check`, which only reports and exits, turns it on.
    public var releasesTreeInBackground = false

    /// Creates a loader; by default `${NAME}` reads the process environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads a file, or every `*.yml`/`*.yaml` in a directory in sorted order.
    public func load(path: String) throws(ReadError) -> Result {
        load(try Self.read(path: path))
    }

    /// The files a rules path names, read: the file, or every `*.yml`/`*.yaml` of a directory in sorted order.
    public static func read(path: String) throws(ReadError) -> [(file: String, bytes: [UInt8])] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(description: "\(path): no such file or directory")
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            guard !files.isEmpty else { throw ReadError(description: "\(path): no *.yml or *.yaml files in this directory") }
        }
        var inputs: [(file: String, bytes: [UInt8])] = []
        for file in files {
            guard let bytes = readBytes(file) else {
                throw ReadError(description: "\(file): cannot read the file")
            }
            inputs.append((file, bytes))
        }
        return inputs
    }

    /// The file's bytes, read straight into the array (a 10,000-rule file is 7 MB; going through
    /// `Data` would copy it once more). A pipe, such as `<(envsubst < rules.yml)`, is read to its end.
    private static func readBytes(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        if fseek(file, 0, SEEK_END) == 0, case let size = ftell(file), size >= 0, fseek(file, 0, SEEK_SET) == 0 {
            var failed = false
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = size == 0 ? 0 : fread(buffer.baseAddress, 1, size, file)
                failed = count != size
            }
            return failed ? nil : bytes
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes += chunk[..<count]
            if count < chunk.count { return ferror(file) == 0 ? bytes : nil }
        }
    }

    /// Loads rules from in-memory files, in the order given.
    public func load(_ files: [(file: String, bytes: [UInt8])]) -> Result {
        let decoder = NodeDecoder(environment: environment, readFile: Self.readSecretFile)
        decoder.parallelDecoding = parallelDecoding
        var texts: [String: String] = [:]
        var contents: [NodeDecoder.FileContent] = []
        for (file, bytes) in files {
            do {
                let (root, problems, streams) = try parse(bytes, file: file, decoder: decoder)
                decoder.record(problems)
                var content = decoder.fileContent(root, file: file)
                content.add(streams, to: decoder)
                contents.append(content)
                if releasesTreeInBackground { Self.releaseInBackground(root) }
            } catch {
                decoder.record([error])
            }
        }
        var rules = merge(contents, decoder: decoder, files: files.map(\.file))
        rules.sensitiveValues = decoder.sensitiveValues
        let diagnostics = RulesError(decoder.diagnostics).diagnostics
        // The texts are for rendering problems; a valid set of thousands of rules skips the copy.
        if !diagnostics.isEmpty {
            for (file, bytes) in files { texts[file] = String(decoding: bytes, as: UTF8.self) }
        }
        return Result(rules: diagnostics.isEmpty ? rules : nil, diagnostics: diagnostics, texts: texts)
    }

    /// Loads rules from one text (tests and tools).
    public func load(text: String, file: String = "rules.yml") -> Result {
        load([(file, Array(text.utf8))])
    }

    private func merge(_ contents: [NodeDecoder.FileContent], decoder: NodeDecoder, files: [String]) -> RulesFile {
        var set = RulesFile(files: files)
        set.rules.reserveCapacity(contents.reduce(0) { $0 + $1.rules.count })
        var sourceMarks: [String: Mark] = [:]
        var ruleMarks: [String: Mark] = [:]
        var defaultsMark: Mark?
        var serverMark: Mark?
        for content in contents {
            for source in content.sources {
                if let first = sourceMarks[source.name] {
                    decoder.error("duplicate source name '\(source.name)'", at: source.mark,
                                  notes: [.init(mark: first, message: "'\(source.name)' is first declared here")])
                    continue
                }
                sourceMarks[source.name] = source.mark
                set.sources.append(source)
            }
            for rule in content.rules {
                if let first = ruleMarks[rule.name] {
                    decoder.error("duplicate rule name '\(rule.name)'; rule names must be unique across the rules set", at: rule.mark,
                                  notes: [.init(mark: first, message: "'\(rule.name)' is first defined here")])
                    continue
                }
                ruleMarks[rule.name] = rule.mark
                set.rules.append(rule)
            }
            if let (defaults, mark) = content.defaults {
                if let first = defaultsMark {
                    decoder.error("defaults are set twice in the rules set", at: mark, notes: [.init(mark: first, message: "first set here")])
                } else {
                    defaultsMark = mark
                    set.defaults = defaults
                }
            }
            if let (server, mark) = content.server {
                if let first = serverMark {
                    decoder.error("server settings are set twice in the rules set", at: mark, notes: [.init(mark: first, message: "first set here")])
                } else {
                    serverMark = mark
                    set.server = server
                }
            }
        }
        let declared = set.sources.map(\.name)
        for reference in contents.flatMap(\.sourceReferences) where sourceMarks[reference.name] == nil {
            let list = declared.isEmpty ? "no sources are declared" : "declared sources: \(declared.joined(separator: ", "))"
            decoder.error("when.source names '\(reference.name)', which is not a declared source; \(list)\(Suggestion.didYouMean(reference.name, in: declared))", at: reference.mark)
        }
        return set
    }

    /// Drops `value` on another thread. Freeing the node tree of ten thousand rules takes a tenth of
    /// the load's time, which a command that exits next need not wait for.
    public static func releaseInBackground<Value: Sendable>(_ value: consuming Value) {
        let box = ReleaseBox(value)
        DispatchQueue.global(qos: .utility).async { box.release() }
    }

    /// Reads a `_file` secret; a relative path is taken relative to the rules file's directory.
    @Sendable static func readSecretFile(_ path: String, relativeTo file: String) -> String? {
        let resolved = path.hasPrefix("/") ? path : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
        return FileManager.default.contents(atPath: resolved).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Holds a value until `release` is called on whichever thread should pay for freeing it.
private final class ReleaseBox<Value: Sendable>: @unchecked Sendable {
    private var value: Value?

    init(_ value: consuming Value) {
        self.value = value
    }

    /// Called once, by the one thread the box was handed to.
    func release() {
        value = nil
    }
}
