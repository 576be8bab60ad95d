import Testing
@testable import Proxy

@Suite("Upstream URL building (contract §3)")
struct RequestRoutingTests {
    func forwarded(_ key: String, _ url: String, targetPath: String, include: Bool = true, prepend: Bool = true) throws -> String {
        let table = RouteTable()
        table.add(key: key, data: [("target", .string("http://t\(targetPath)"))])
        let path = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard case .route(let match) = RequestRouting.decide(table, rawPath: path) else {
            Issue.record("no route for \(url)")
            return ""
        }
        return RequestRouting.upstreamTarget(rawTarget: url, match: match, targetPath: targetPath[...],
                                             includePrefix: include, prependPath: prepend)
    }

    @Test("the target's path is prepended and the query kept")
    func prepend() throws {
        #expect(try forwarded("/bar", "/bar/rest?q=1", targetPath: "/foo") == "/foo/bar/rest?q=1")
        #expect(try forwarded("/bar", "/bar/rest?q=1", targetPath: "") == "/bar/rest?q=1")
        #expect(try forwarded("/bar", "/bar/rest", targetPath: "/foo/") == "/foo/bar/rest")
    }

    @Test("--no-prepend-path, --no-include-prefix and both")
    func switches() throws {
        #expect(try forwarded("/bar", "/bar/rest?q=1", targetPath: "/foo", prepend: false) == "/bar/rest?q=1")
        #expect(try forwarded("/bar", "/bar/rest?q=1", targetPath: "/foo", include: false) == "/foo/rest?q=1")
        #expect(try forwarded("/bar", "/bar/rest?q=1", targetPath: "/foo", include: false, prepend: false) == "/rest?q=1")
        #expect(try forwarded("/bar", "/bar", targetPath: "/foo", include: false) == "/foo")
        #expect(try forwarded("/bar", "/bar?x=1", targetPath: "", include: false) == "/?x=1")
    }

    @Test("stripping an escaped prefix cuts the raw bytes, not the decoded length")
    func escapedPrefix() throws {
        #expect(try forwarded("/b@r/b r", "/b%40r/b%20r/rest?x=%41", targetPath: "", include: false) == "/rest?x=%41")
        #expect(try forwarded("/b@r/b r", "/b%40r/b%20r/re%20st", targetPath: "/t") == "/t/b%40r/b%20r/re%20st")
    }

    @Test("a literal @ is forwarded as sent")
    func literalAt() throws {
        #expect(try forwarded("/user/foo@bar", "/user/foo@bar/x", targetPath: "") == "/user/foo@bar/x")
    }

    @Test("raw prefix length counts decoded segments, including %2F separators")
    func rawPrefix() {
        #expect(RequestRouting.rawPrefixLength(of: "/a/b/c", segments: 2) == 4)
        #expect(RequestRouting.rawPrefixLength(of: "//a/b", segments: 1) == 3)
        #expect(RequestRouting.rawPrefixLength(of: "/a%2Fb/c", segments: 2) == 6)
        #expect(RequestRouting.rawPrefixLength(of: "/a/b", segments: 0) == 0)
        #expect(RequestRouting.rawPrefixLength(of: "/a/b/", segments: 2) == 4)
    }
}

@Suite("JSON route data")
struct JSONTests {
    @Test("objects keep member order and number text through a round trip")
    func roundTrip() throws {
        let text = #"{"target":"http://x","jupyterhub":true,"n":1.50e3,"user":"a\"b","nested":{"z":[1,null,false]}}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value.serialized() == text)
    }

    @Test("escapes decode, including surrogate pairs, and re-encode as valid JSON")
    func escapes() throws {
        let value = try JSONParser.parse(Array(#"{"s":"\u00e9\ud83d\ude00\n\/"}"#.utf8))
        #expect(value["s"] == .string("é😀\n/"))
        #expect(value.serialized() == "{\"s\":\"é😀\\n/\"}")
    }

    @Test("malformed documents are rejected with a reason", arguments: ["", "{", "{\"a\":}", "[1,]", "01", "{\"a\":1}x", "\"\u{01}\"", "nul", "{'a':1}"])
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}

@Suite("Dates for inactive_since")
struct DateTests {
    @Test("ISO 8601 forms: date only, minutes, seconds, fractions, Z and offsets", arguments: [
        ("2026-11-24", "2026-11-24T00:00:00.000Z"),
        ("2026-11", "2026-11-01T00:00:00.000Z"),
        ("2026", "2026-01-01T00:00:00.000Z"),
        ("2026-11-24T19:46", "2026-11-24T19:46:00.000Z"),
        ("2026-11-24T19:46:44.616Z", "2026-11-24T19:46:44.616Z"),
        ("2026-11-24T19:46:44.616123+00:00", "2026-11-24T19:46:44.616Z"),
        ("2026-11-24T19:46:44+01:00", "2026-11-24T18:46:44.000Z"),
        ("2026-11-24T19:46:44-0530", "2026-11-25T01:16:44.000Z"),
        ("2026-11-24 19:46:44", "2026-11-24T19:46:44.000Z"),
        ("1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"),
        ("Tue, 24 Nov 2026 19:46:44 GMT", "2026-11-24T19:46:44.000Z"),
    ])
    func parses(_ input: String, _ expected: String) throws {
        let parsed = try #require(DateParsing.parse(input))
        #expect(parsed.description == expected)
    }

    @Test("nonsense is rejected", arguments: ["endoftheuniverse", "", "2026-13-01", "2026-02-30", "2026-11-24T25:00", "2026-11-24T10:00:00+", "yesterday"])
    func rejects(_ input: String) {
        #expect(DateParsing.parse(input) == nil)
    }

    @Test("timestamps format like Date.toISOString, before and after the epoch")
    func formatting() {
        #expect(Timestamp(milliseconds: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 1_795_549_604_616).description == "2026-11-24T19:46:44.616Z")
        #expect(Timestamp(milliseconds: -1).description == "1969-12-31T23:59:59.999Z")
    }
}
