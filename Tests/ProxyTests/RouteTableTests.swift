import Testing
@testable import Proxy

/// Looks up a request path the way the proxy does and returns the matched key.
private func lookup(_ table: RouteTable, _ path: String, host: String? = nil) -> String? {
    if case .route(let match) = RequestRouting.decide(table, rawPath: path[...], host: host.map { $0[...] }) {
        return match.route.key
    }
    return nil
}

private func add(_ table: RouteTable, _ key: String, _ target: String = "http://127.0.0.1:1") {
    table.add(key: key, data: [("target", .string(target))])
}

@Suite("Route table (CHP trie semantics)")
struct RouteTableTests {
    @Test("keys gain a leading slash and lose exactly one trailing slash")
    func keyNormalisation() {
        #expect(RouteKey.normalize("") == "/")
        #expect(RouteKey.normalize("/") == "/")
        #expect(RouteKey.normalize("user/a") == "/user/a")
        #expect(RouteKey.normalize("/user/a/") == "/user/a")
        #expect(RouteKey.normalize("/user/a//") == "/user/a/")
    }

    @Test("the root route matches /, the empty path and deep paths")
    func rootMatchesEverything() {
        let table = RouteTable()
        add(table, "/")
        #expect(lookup(table, "/") == "/")
        #expect(lookup(table, "") == "/")
        #expect(lookup(table, "/a/b/c/d") == "/")
    }

    @Test("the longest whole-segment prefix with data wins")
    func longestWholeSegment() {
        let table = RouteTable()
        add(table, "/")
        add(table, "/b")
        add(table, "/b/c")
        #expect(lookup(table, "/b/c/d/word") == "/b/c")
        #expect(lookup(table, "/b/c/") == "/b/c")
        #expect(lookup(table, "/b/cd") == "/b")
        #expect(lookup(table, "/b/c/dword") == "/b/c")
        #expect(lookup(table, "/bc") == "/")
    }

    @Test("nodes without data never match")
    func dataLessNodes() {
        let table = RouteTable()
        add(table, "/a/b/c/d")
        #expect(lookup(table, "/a/b/c") == nil)
        add(table, "/")
        #expect(lookup(table, "/a/b/c") == "/")
        #expect(lookup(table, "/a/b/c/d/e") == "/a/b/c/d")
    }

    @Test("removing /b keeps /b/c; removing a leaf prunes it")
    func removal() {
        let table = RouteTable()
        add(table, "/")
        add(table, "/b")
        add(table, "/b/c")
        #expect(table.remove(key: "/b"))
        #expect(lookup(table, "/b/c/x") == "/b/c")
        #expect(lookup(table, "/b/x") == "/")
        #expect(table.remove(key: "/b/c"))
        #expect(lookup(table, "/b/c/x") == "/")
        #expect(table.count == 1)
        #expect(!table.remove(key: "/b/c"))
    }

    @Test("a mass delete shrinks the table's storage and leaves the remaining routes intact")
    func massDelete() {
        let table = RouteTable()
        add(table, "/")
        for i in 0..<5000 { add(table, "/user/u\(i)", "http://127.0.0.1:\(1000 + i % 50)") }
        for i in 0..<5000 where i % 100 != 7 { #expect(table.remove(key: "/user/u\(i)")) }
        #expect(table.count == 51)
        for i in stride(from: 7, to: 5000, by: 100) {
            #expect(lookup(table, "/user/u\(i)/tree") == "/user/u\(i)")
            #expect(table.route(forKey: "/user/u\(i)")?.target == "http://127.0.0.1:\(1000 + i % 50)")
        }
        #expect(lookup(table, "/user/u8/tree") == "/")
        // Writes after the shrink are visible on the next read.
        add(table, "/user/u8")
        #expect(lookup(table, "/user/u8/tree") == "/user/u8")
        #expect(table.remove(key: "/user/u107"))
        #expect(lookup(table, "/user/u107/x") == "/")
    }

    @Test("removing /prefix/ with a trailing slash falls back to the root")
    func removeTrailingSlash() {
        let table = RouteTable()
        add(table, "/")
        add(table, "/prefix")
        #expect(table.remove(key: "/prefix/"))
        #expect(lookup(table, "/prefix/x") == "/")
    }

    @Test("request paths are decoded: /b@r/b r matches %-escaped requests; case matters")
    func decodedMatching() {
        let table = RouteTable()
        add(table, "/b@r/b r")
        add(table, "/user/foo@bar")
        #expect(lookup(table, "/b%40r/b%20r/rest") == "/b@r/b r")
        #expect(lookup(table, "/user/foo%40bar/path") == "/user/foo@bar")
        #expect(lookup(table, "/user/foo@bar/path") == "/user/foo@bar")
        #expect(lookup(table, "/USER/foo@bar") == nil)
    }

    @Test("an undecodable path is reported, not matched")
    func undecodable() {
        let table = RouteTable()
        add(table, "/")
        if case .undecodablePath = RequestRouting.decide(table, rawPath: "/%") {} else { Issue.record("expected undecodable") }
        if case .undecodablePath = RequestRouting.decide(table, rawPath: "/%C3%28") {} else { Issue.record("bad UTF-8 accepted") }
    }

    @Test("host routing prefixes the key with the host; no host is /undefined")
    func hostRouting() {
        let table = RouteTable()
        add(table, "/example.com")
        add(table, "/example.com/user/a")
        add(table, "/undefined")
        #expect(lookup(table, "/user/a/tree", host: "example.com") == "/example.com/user/a")
        #expect(lookup(table, "/other", host: "example.com") == "/example.com")
        #expect(lookup(table, "/x", host: "other.org") == nil)
        #expect(lookup(table, "/x", host: "") == "/undefined")
    }

    @Test("re-adding a key replaces its data and resets last_activity")
    func replace() throws {
        let table = RouteTable()
        table.add(key: "/a", data: [("target", .string("http://one")), ("extra", .bool(true))], now: Timestamp(milliseconds: 1000))
        table.add(key: "/a/", data: [("target", .string("http://two"))], now: Timestamp(milliseconds: 5000))
        let route = try #require(table.route(forKey: "/a"))
        #expect(route.target == "http://two")
        #expect(route.json == .object([("target", .string("http://two")), ("last_activity", .string("1970-01-01T00:00:05.000Z"))]))
        #expect(table.count == 1)
    }

    @Test("inactive_since keeps routes strictly older than the cutoff")
    func inactiveSince() {
        let table = RouteTable()
        table.add(key: "/old", data: [("target", .string("http://a"))], now: Timestamp(milliseconds: 1_000))
        table.add(key: "/new", data: [("target", .string("http://b"))], now: Timestamp(milliseconds: 9_000))
        #expect(table.routes(inactiveSince: Timestamp(milliseconds: 0)).isEmpty)
        #expect(table.routes(inactiveSince: Timestamp(milliseconds: 1_000)).isEmpty)
        #expect(table.routes(inactiveSince: Timestamp(milliseconds: 1_001)).map(\.key) == ["/old"])
        #expect(table.routes(inactiveSince: Timestamp(milliseconds: 100_000)).map(\.key) == ["/new", "/old"])
    }

    @Test("activity is recorded at most once per second and never moves backwards")
    func activityResolution() {
        let table = RouteTable()
        let route = table.add(key: "/a", data: [("target", .string("http://a"))], now: Timestamp(milliseconds: 10_000))
        route.recordActivity(at: Timestamp(milliseconds: 10_500))
        #expect(route.lastActivity.milliseconds == 10_000)
        route.recordActivity(at: Timestamp(milliseconds: 11_000))
        #expect(route.lastActivity.milliseconds == 11_000)
        route.recordActivity(at: Timestamp(milliseconds: 5_000))
        #expect(route.lastActivity.milliseconds == 11_000)
    }

    @Test("lookups stay fast with 100,000 routes and adds/deletes exceed 5,000 per second")
    func scale() {
        let table = RouteTable()
        let clock = ContinuousClock()
        let addTime = clock.measure {
            for i in 0..<100_000 { add(table, "/user/user\(i)/server\(i % 3)") }
        }
        #expect(table.count == 100_000)
        #expect(addTime < .seconds(20), "100k adds took \(addTime)")
        let lookupTime = clock.measure {
            for i in 0..<100_000 { _ = lookup(table, "/user/user\(i)/server\(i % 3)/api/kernels") }
        }
        #expect(lookupTime < .seconds(5), "100k lookups took \(lookupTime)")
        let deleteTime = clock.measure {
            for i in 0..<50_000 { table.remove(key: "/user/user\(i)/server\(i % 3)") }
        }
        #expect(deleteTime < .seconds(10), "50k deletes took \(deleteTime)")
        #expect(table.count == 50_000)
        #expect(lookup(table, "/user/user1/server1/x") == nil)
        #expect(lookup(table, "/user/user99999/server0/x") == "/user/user99999/server0")
    }
}
