import Testing
@testable import Hub

@Suite("Pagination parameters (one helper for every list)")
struct PaginationTests {
    @Test("offset and limit are read as Python's abs(int(text))", arguments: [
        ("5", 5), (" -7 ", 7), ("+3", 3), ("1_000", 1000), ("\t4\r\n", 4), ("0", 0), ("007", 7),
        ("99999999999999999999999", Int.max), ("١٢", 12),
    ])
    func integers(_ text: String, _ expected: Int) {
        #expect(PageParameters.pythonInteger(text) == expected)
    }

    @Test("anything else is not an integer", arguments: ["", " ", "x", "1__0", "_1", "1_", "1.5", "1e3", "--1", "0x10", "½", "²"])
    func notIntegers(_ text: String) {
        #expect(PageParameters.pythonInteger(text) == nil)
    }

    @Test("the envelope is chosen by an exact item of Accept, as JupyterHub compares them")
    func accept() {
        #expect(PageParameters.acceptsEnvelope("application/jupyterhub-pagination+json"))
        #expect(PageParameters.acceptsEnvelope("application/json, APPLICATION/JUPYTERHUB-PAGINATION+JSON "))
        #expect(!PageParameters.acceptsEnvelope("application/json"))
        #expect(!PageParameters.acceptsEnvelope("application/jupyterhub-pagination+json; q=1"))
        #expect(!PageParameters.acceptsEnvelope("application/jupyterhub-pagination+jsonx"))
    }
}
