/// The decoder under test, chosen by the `FUZZ_DECODER` environment variable (a source kind).
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Router
import RuleParser

enum FuzzedSource {
    /// A source of the kind `FUZZ_DECODER` names, keeping blobs and with a fallback registry so those
    /// paths run too; exits with the valid names when the variable is unset or names no decoder.
    static func fromEnvironment() -> Source {
        let name = getenv("FUZZ_DECODER").map { String(cString: $0) }
        // Closures, not `\.kind` key paths: a key path to a static member through `any SourceDecoder.Type`
        // crashes swift-frontend 6.3.1 in SILGen.
        let kinds = SourceDecoders.all.map { $0.kind }
        guard let name, let kind = SourceKind(rawValue: name), kinds.contains(kind) else {
            let valid = kinds.map { $0.rawValue }.joined(separator: ", ")
            let problem = name.map { "FUZZ_DECODER='\($0)' names no decoder" } ?? "FUZZ_DECODER is not set"
            fail("FuzzDecoders: \(problem); set it to one of: \(valid)\n")
        }
        return Source(name: "fuzz", kind: kind, registry: "fallback.example.com", includeBlobs: true)
    }

    /// Writes the message to stderr (Glibc's `stderr` is shared mutable state to Swift 6) and exits 2.
    private static func fail(_ message: String) -> Never {
        var message = message
        message.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
}
