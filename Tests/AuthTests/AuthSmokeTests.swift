import Testing
@testable import Auth

@Test("the Auth module links") func AuthLinks() { #expect(Bool(true)) }
