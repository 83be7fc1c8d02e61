import Testing
@testable import Router
@Test func routerReExportsRuleParser() { #expect(Severity.critical > Severity.high) }
