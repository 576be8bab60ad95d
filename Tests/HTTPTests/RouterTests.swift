import HTTPTypes
import Testing
@testable import HTTP

@Suite("Router")
struct RouterTests {
    func hubRoutes() -> Router<String> {
        var router = Router<String>()
        router.add(.get, "/hub/api/users", "list")
        router.add(.post, "/hub/api/users", "create")
        router.add(.get, "/hub/api/users/{name}", "get-user")
        router.add(.delete, "/hub/api/users/{name}", "delete-user")
        router.add(.post, "/hub/api/users/{name}/server", "start-default")
        router.add(.post, "/hub/api/users/{name}/servers/{server_name}", "start-named")
        router.add(.get, "/hub/api/users/{name}/server/progress", "progress")
        router.add(.get, "/hub/static/{path...}", "static")
        router.add(.get, "/hub/api/users/me-literal", "literal")
        return router
    }

    @Test("a literal path finds its handler with no parameters")
    func literal() {
        guard case .found(let handler, let params) = hubRoutes().match(.get, path: "/hub/api/users") else {
            Issue.record("not found"); return
        }
        #expect(handler == "list")
        #expect(params == PathParameters())
    }

    @Test("parameters are captured and percent-decoded per segment, so %2F stays inside a name")
    func parameters() {
        guard case .found(let handler, let params) = hubRoutes().match(.post, path: "/hub/api/users/a%2Fb%20c/servers/nb%401")
        else { Issue.record("not found"); return }
        #expect(handler == "start-named")
        #expect(params["name"] == "a/b c")
        #expect(params["server_name"] == "nb@1")
    }

    @Test("one trailing slash is accepted")
    func trailingSlash() {
        guard case .found(let handler, _) = hubRoutes().match(.get, path: "/hub/api/users/alice/") else {
            Issue.record("not found"); return
        }
        #expect(handler == "get-user")
    }

    @Test("literals win over parameters, and backtracking finds deeper parameter routes")
    func literalPriority() {
        guard case .found(let literal, _) = hubRoutes().match(.get, path: "/hub/api/users/me-literal") else {
            Issue.record("not found"); return
        }
        #expect(literal == "literal")
        guard case .found(let progress, let params) = hubRoutes().match(.get, path: "/hub/api/users/bob/server/progress")
        else { Issue.record("not found"); return }
        #expect(progress == "progress")
        #expect(params["name"] == "bob")
    }

    @Test("a known path with another method is 405 with the allowed methods")
    func methodNotAllowed() {
        guard case .methodNotAllowed(let allowed) = hubRoutes().match(.put, path: "/hub/api/users/alice") else {
            Issue.record("expected 405"); return
        }
        #expect(Set(allowed.map(\.rawValue)) == ["GET", "DELETE"])
    }

    @Test("HEAD falls back to GET")
    func headFallsBackToGet() {
        guard case .found(let handler, _) = hubRoutes().match(.head, path: "/hub/api/users") else {
            Issue.record("not found"); return
        }
        #expect(handler == "list")
    }

    @Test("unknown paths, extra segments and malformed escapes are not found")
    func notFound() {
        let router = hubRoutes()
        for path in ["/hub/api/nothing", "/hub/api/users/a/b", "/hub/api/users/%zz", "/", ""] {
            guard case .notFound = router.match(.get, path: path[...]) else {
                Issue.record("\(path) should be not found"); continue
            }
        }
    }

    @Test("a rest parameter captures the remaining path, decoded")
    func restParameter() {
        guard case .found(let handler, let params) = hubRoutes().match(.get, path: "/hub/static/js/app%20v2.js")
        else { Issue.record("not found"); return }
        #expect(handler == "static")
        #expect(params["path"] == "js/app v2.js")
    }
}

@Suite("PercentEncoding")
struct PercentEncodingTests {
    @Test("decoding handles escapes and rejects malformed or non-UTF-8 input")
    func decode() {
        #expect(PercentEncoding.decode("a%20b%40c") == "a b@c")
        #expect(PercentEncoding.decode("plain") == "plain")
        #expect(PercentEncoding.decode("%") == nil)
        #expect(PercentEncoding.decode("%4") == nil)
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
        #expect(PercentEncoding.decode("%C3%A9") == "é")
    }

    @Test("encoding keeps unreserved characters and the requested extras, JupyterHub style")
    func encode() {
        #expect(PercentEncoding.encode("a b/c@d~e", keeping: "@~") == "a%20b%2Fc@d~e")
        #expect(PercentEncoding.encode("é") == "%C3%A9")
        #expect(PercentEncoding.decode(PercentEncoding.encode("x y/z%")) == "x y/z%")
    }

    @Test("paths split into segments by bytes, as splitting by characters would")
    func segments() {
        for path in ["", "/", "//", "/a", "a", "/a/", "/a//b", "/a/b/", "/a/b//", "/é/ü%20x/", "/e\u{301}/x", "/a/b/c/d/e/f/g/h"] {
            var expected = Substring(path)
            if expected.hasPrefix("/") { expected = expected.dropFirst() }
            if expected.hasSuffix("/") { expected = expected.dropLast() }
            let split = expected.isEmpty ? [] : expected.split(separator: "/", omittingEmptySubsequences: false)
            #expect(Router<String>.segments(of: Substring(path)) == split, "\(path)")
        }
        // A slice of a longer string keeps its own bounds.
        let whole = "/hub/api/users/x"
        #expect(Router<String>.segments(of: whole.dropFirst(4)) == ["api", "users", "x"])
    }

    @Test("query strings parse into ordered, decoded pairs")
    func query() {
        let pairs = PercentEncoding.parseQuery("a=1&b=x+y%21&flag&a=2&&c=")
        #expect(pairs.map(\.name) == ["a", "b", "flag", "a", "c"])
        #expect(pairs.map(\.value) == ["1", "x y!", "", "2", ""])
    }
}
