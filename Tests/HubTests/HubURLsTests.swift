import HTTP
import Testing
@testable import Hub

@Suite("Model URLs: JupyterHub's escaping of user and server names")
struct HubURLsTests {
    @Test("plain names are kept; anything else is percent-encoded with @ and ~ kept, as the general encoder does")
    func escaping() {
        for name in ["bu00001", "Alice.B-c_d~e@wiki", ""] {
            #expect(HubURLs.escape(name) == name)
        }
        for name in ["a b", "a/b", "ü@x", "50%", "a?b#c"] {
            #expect(HubURLs.escape(name) == PercentEncoding.encode(name, keeping: "@~"))
            #expect(HubURLs.escape(name) != name)
        }
        let urls = HubURLs(baseURL: "/prefix/")
        #expect(urls.serverURL(user: "a b", server: "nb 1") == "/prefix/user/a%20b/nb%201/")
        #expect(urls.progressURL(user: "a@b", server: "") == "/prefix/hub/api/users/a@b/server/progress")
    }
}
