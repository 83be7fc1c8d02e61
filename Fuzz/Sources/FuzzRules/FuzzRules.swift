/// libFuzzer entry point: arbitrary bytes through the YAML parser, the rules loader and the renderer.
import RuleParser

/// Called by libFuzzer once per input; a crash, a hang or a sanitizer report is the finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let file = "fuzz.yml"

    _ = try? YAMLParser().parse(bytes, file: file)

    // HOOK_TOKEN set so `${HOOK_TOKEN}` resolves; other names exercise the missing-variable path.
    let result = RulesLoader(environment: ["HOOK_TOKEN": "x"]).load([(file: file, bytes: bytes)])
    let renderer = DiagnosticRenderer(sources: result.texts)
    var rendered = 0
    for diagnostic in result.diagnostics {
        rendered &+= renderer.render(diagnostic, format: .text).utf8.count
    }
    // Keep the rendering from being optimised away.
    if rendered == -1 { print(rendered) }
    return 0
}
