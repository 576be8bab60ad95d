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

@Suite("Post-login destination")
struct LoginRedirectTests {
    let r = LoginRedirect(validator: NextURLValidator(scheme: "http", host: "127.0.0.1:8000"), hubPrefix: "/hub/")

    @Test("a valid next wins and is not decorated with the query")
    func nextWins() {
        #expect(r.destination(next: "/user/a/lab", userServerURL: "/user/a/", serverActive: true, rawQuery: "next=%2Fuser%2Fa%2Flab&x=1")
            == "/user/a/lab")
    }

    @Test("defaults: running server, else spawn, else home; query kept minus next and _xsrf")
    func defaults() {
        #expect(r.destination(next: "//evil", userServerURL: "/user/a/", serverActive: true, rawQuery: nil) == "/user/a/")
        #expect(r.destination(next: nil, userServerURL: "/user/a/", serverActive: false, rawQuery: "_xsrf=t&opt=1&next=x")
            == "/hub/spawn?opt=1")
        #expect(r.destination(next: nil, userServerURL: nil, serverActive: false, rawQuery: "") == "/hub/home")
        var noServer = r
        noServer.redirectToServer = false
        #expect(noServer.destination(next: nil, userServerURL: "/user/a/", serverActive: true, rawQuery: nil) == "/hub/home")
        var configured = r
        configured.defaultURL = "/hub/home?tab=1"
        #expect(configured.destination(next: nil, userServerURL: "/user/a/", serverActive: true, rawQuery: "a=b") == "/hub/home?tab=1&a=b")
        #expect(r.destination(next: nil, fallback: "/hub/token", userServerURL: "/user/a/", serverActive: true, rawQuery: nil) == "/hub/token")
    }
}
