import Testing
@testable import Store

@Test("the Store module links") func StoreLinks() { #expect(Bool(true)) }
