import Testing
@testable import RuleParser

/// A server keeps the model of every rule for its whole life (10,000 rules in the memory benchmark), so
/// the sizes of the values it holds many of are part of the memory target: a field added inline shows here.
@Test func theValuesARuleHoldsManyOfStaySmall() {
    #expect(MemoryLayout<Template>.size == 24, "text and the parsed template; `isConstant` is derived")
    #expect(MemoryLayout<EventTypes>.size == 4 && MemoryLayout<ArtifactKinds>.size == 4, "bit sets, no storage")
    #expect(MemoryLayout<HTTPActionConfig>.size <= 104, "rarely set options and the default Content-Type out of line")
    #expect(MemoryLayout<ReplicateActionConfig>.size <= 104, "rarely set options out of line (201 bytes before)")
}
