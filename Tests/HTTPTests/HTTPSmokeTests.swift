import Testing
@testable import HTTP

@Test("the HTTP module links") func HTTPLinks() { #expect(Bool(true)) }
