import Testing
@testable import Proxy

@Test("the Proxy module links") func ProxyLinks() { #expect(Bool(true)) }
