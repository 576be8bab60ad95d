import Testing
@testable import Auth

@Suite("next= redirect validation")
struct RedirectTests {
    let v = NextURLValidator(scheme: "https", host: "hub.example.org")

    @Test("safe targets", arguments: [
        ("/hub/home", "/hub/home"),
        ("/user/alice/lab?x=1#frag", "/user/alice/lab?x=1#frag"),
        ("https://hub.example.org/user/alice/", "/user/alice/"),
        ("https://hub.example.org", "/"),
        ("//hub.example.org/hub/spawn?next=/x", "/hub/spawn?next=/x"),
        ("https://HUB.example.org//user/a", "/user/a"),
        ("/\\evil.com", "/%5Cevil.com"),
        ("/hub/user-redirect/lab/tree/a%20b.ipynb", "/hub/user-redirect/lab/tree/a%20b.ipynb"),
    ])
    func safe(next: String, want: String) {
        #expect(v.validate(next) == want)
    }

    @Test("open redirects are dropped", arguments: [
        "//evil.com", "///evil.com", "////evil.com/x", "https://evil.com", "http://evil.com/hub/",
        "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "evil.com", "hub/home", "",
        "http://hub.example.org/x", "https://hub.example.org.evil.com/", "https://hub.example.org@evil.com/",
        "\\\\evil.com", "/\t/evil.com", " /hub/home", "/hub\n/home", "\\/evil.com", "//", "https:evil.com",
    ])
    func dropped(next: String) {
        #expect(v.validate(next) == nil)
    }

    @Test("with subdomain_host, user subdomains reduce to their path")
    func subdomains() {
        let sub = NextURLValidator(scheme: "https", host: "hub.example.org", subdomainHost: "https://example.org")
        #expect(sub.validate("https://alice.example.org/user/alice/lab") == "/user/alice/lab")
        #expect(sub.validate("https://example.org/x") == "/x")
        #expect(sub.validate("https://evilexample.org/x") == nil)
        #expect(sub.validate("https://example.org.evil.com/x") == nil)
    }
}
