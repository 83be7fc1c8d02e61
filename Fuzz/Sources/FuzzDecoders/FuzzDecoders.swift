/// libFuzzer entry points: arbitrary bytes through one source decoder (`FUZZ_DECODER`) and the canonical event's JSON.
import Router
import RuleParser

/// The source every input arrives through, as a declared source of the chosen kind; read once, at start-up.
private let source = FuzzedSource.fromEnvironment()

/// Called by libFuzzer before the first input: an unset or unknown `FUZZ_DECODER` stops the run here.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    _ = source
    return 0
}

/// Called by libFuzzer once per input; a crash, a hang or a sanitizer report is the finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let payload = FuzzInput.payload(Array(UnsafeBufferPointer(start: data, count: size)), kind: source.kind)
    var rendered = 0
    do throws(DecodeError) {
        // What the server does with a payload: decode for the declared source, stable ids included.
        for event in try SourceDecoders.decode(payload, source: source) {
            // The canonical JSON is what a shell action reads on stdin and what `explain` prints.
            rendered &+= event.json.serialized().utf8.count
            rendered &+= event.templateContext.count &+ event.image.utf8.count
        }
    } catch {
        rendered &+= error.description.utf8.count
    }
    // Keep the rendering from being optimised away.
    if rendered == -1 { print(rendered) }
    return 0
}
