import Testing
import HTTP
import HTTPTypes
@testable import Proxy

@Suite("Forwarded request and response headers")
struct ForwardedHeadersTests {
    func head(_ fields: [(String, String)], upgrade: Bool = false) -> RequestHead {
        var headers = HTTPFields()
        for (name, value) in fields { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return RequestHead(method: .get, target: "/x", headers: headers, isUpgrade: upgrade)
    }

    @Test("hop-by-hop fields and fields named in Connection are dropped; order is kept")
    func hopByHop() {
        let out = ForwardedHeaders.request(
            from: head([("Host", "h"), ("Accept", "a"), ("Connection", "keep-alive, X-Secret"), ("Keep-Alive", "5"),
                        ("X-Secret", "s"), ("TE", "trailers"), ("Proxy-Authorization", "p"), ("Cookie", "c")]),
            remoteHost: "10.0.0.9", isTLS: false, xForward: false, customHeaders: [])
        #expect(out.map(\.name.canonicalName) == ["host", "accept", "cookie"])
    }

    @Test("X-Forwarded-For/-Port/-Proto are appended with a comma and -Host set when absent")
    func xForwarded() {
        let out = ForwardedHeaders.request(
            from: head([("Host", "hub.example:8443"), ("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https")]),
            remoteHost: "10.0.0.9", isTLS: false, xForward: true, customHeaders: [])
        #expect(out[ForwardedHeaders.forwardedFor] == "1.2.3.4,10.0.0.9")
        #expect(out[ForwardedHeaders.forwardedProto] == "https,http")
        #expect(out[ForwardedHeaders.forwardedPort] == "8443")
        #expect(out[ForwardedHeaders.forwardedHost] == "hub.example:8443")
        let tls = ForwardedHeaders.request(from: head([("Host", "hub"), ("X-Forwarded-Host", "orig")]), remoteHost: "::1",
                                           isTLS: true, xForward: true, customHeaders: [])
        #expect(tls[ForwardedHeaders.forwardedPort] == "443")
        #expect(tls[ForwardedHeaders.forwardedHost] == "orig")
    }

    @Test("upgrades keep Upgrade and Connection: upgrade, with ws/wss as the protocol")
    func upgrade() {
        let out = ForwardedHeaders.request(
            from: head([("Host", "h"), ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Key", "k")], upgrade: true),
            remoteHost: "1.1.1.1", isTLS: true, xForward: true, customHeaders: [])
        #expect(out[.upgrade] == "websocket")
        #expect(out[.connection] == "upgrade")
        #expect(out[ForwardedHeaders.forwardedProto] == "wss")
        #expect(out[ForwardedHeaders.forwardedHost] == nil)
    }

    @Test("--no-x-forward adds nothing; custom headers override the client's")
    func customHeaders() throws {
        let header = try ProxyConfiguration.parseCustomHeader(" X-Origin :  pawshub ")
        #expect(header.name == "X-Origin" && header.value == "pawshub")
        let out = ForwardedHeaders.request(from: head([("Host", "h"), ("X-Origin", "client")]), remoteHost: "1.1.1.1",
                                           isTLS: false, xForward: false,
                                           customHeaders: [(HTTPField.Name(header.name)!, header.value)])
        #expect(out[values: HTTPField.Name("X-Origin")!] == ["pawshub"])
        #expect(out[ForwardedHeaders.forwardedFor] == nil)
    }

    @Test("a custom header without a colon is refused with CHP's message")
    func invalidCustomHeader() {
        #expect(throws: ProxyConfigurationError.self) { try ProxyConfiguration.parseCustomHeader("invalid") }
        do {
            _ = try ProxyConfiguration.parseCustomHeader("invalid")
        } catch {
            #expect(error.description == "A colon was expected in custom header: invalid")
        }
    }

    @Test("host values lose their port for host routing; ports are read for X-Forwarded-Port")
    func hostParsing() {
        #expect(ForwardedHeaders.hostWithoutPort("example.com:8000") == "example.com")
        #expect(ForwardedHeaders.hostWithoutPort("[::1]:8000") == "[::1]")
        #expect(ForwardedHeaders.port(ofHost: "[::1]:8000") == "8000")
        #expect(ForwardedHeaders.port(ofHost: "[::1]") == nil)
        #expect(ForwardedHeaders.port(ofHost: "example.com") == nil)
    }

    @Test("response hop-by-hop fields are dropped, upgrade fields kept only for 101")
    func responseFields() {
        var fields = HTTPFields()
        fields[.contentType] = "text/html"
        fields[.connection] = "Upgrade"
        fields[.upgrade] = "websocket"
        fields[.transferEncoding] = "chunked"
        #expect(ForwardedHeaders.response(from: fields, keepUpgrade: false).map(\.name.canonicalName) == ["content-type"])
        #expect(ForwardedHeaders.response(from: fields, keepUpgrade: true).map(\.name.canonicalName) == ["content-type", "connection", "upgrade"])
    }
}

@Suite("Proxy configuration")
struct ProxyConfigurationTests {
    @Test("CHP defaults: port 8000, API on localhost port + 1, keep-alive 5 s")
    func defaults() {
        let c = ProxyConfiguration()
        #expect(c.port == 8000 && c.effectiveAPIPort == 8001 && c.apiIP == "localhost")
        #expect(c.keepAliveTimeout == .milliseconds(5000))
        #expect(c.xForward && c.includePrefix && c.prependPath && !c.hostRouting)
    }

    @Test("--error-target with --error-path is refused")
    func conflicting() {
        var c = ProxyConfiguration()
        c.errorTarget = "http://hub/hub/error"
        c.errorPath = "/tmp"
        #expect(throws: ProxyConfigurationError.self) { try c.validate() }
    }

    @Test("ports out of range and non-http targets are refused")
    func badValues() {
        var c = ProxyConfiguration()
        c.port = 70000
        #expect(throws: ProxyConfigurationError.self) { try c.validate() }
        c = ProxyConfiguration()
        c.defaultTarget = "ftp://x"
        #expect(throws: ProxyConfigurationError.self) { try c.validate() }
    }
}

@Suite("Forwarded request framing")
struct ForwardedFramingTests {
    func head(_ fields: [(String, String)], framing: BodyFraming) -> RequestHead {
        var headers = HTTPFields()
        for (name, value) in fields { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return RequestHead(method: .post, target: "/x", headers: headers, framing: framing)
    }

    func forward(_ head: RequestHead, framing: BodyFraming, custom: [(name: HTTPField.Name, value: String)] = []) -> HTTPFields {
        ForwardedHeaders.request(from: head, remoteHost: "10.0.0.9", isTLS: false, xForward: true, customHeaders: custom,
                                 framing: framing, defaultHost: "upstream:8888")
    }

    @Test("Content-Length stays in place, repeated copies collapse into one")
    func contentLengthKept() {
        let out = forward(head([("Host", "h"), ("Content-Length", "5"), ("Accept", "a"), ("Content-Length", "5")],
                               framing: .contentLength(5)), framing: .contentLength(5))
        #expect(out.map(\.name.canonicalName) == ["host", "content-length", "accept", "x-forwarded-for",
                                                  "x-forwarded-port", "x-forwarded-proto", "x-forwarded-host"])
        #expect(out[values: .contentLength] == ["5"])
    }

    @Test("a chunked body is re-framed as chunked; no body means no Content-Length")
    func chunkedAndNone() {
        let chunked = forward(head([("Host", "h"), ("Transfer-Encoding", "chunked")], framing: .chunked), framing: .chunked)
        #expect(chunked[values: .transferEncoding] == ["chunked"])
        #expect(chunked[.contentLength] == nil)
        let none = forward(head([("Host", "h"), ("Content-Length", "0")], framing: .none), framing: .none)
        #expect(none[.contentLength] == nil)
        let custom = forward(head([("Host", "h")], framing: .none), framing: .none,
                             custom: [(HTTPField.Name.contentLength, "7")])
        #expect(custom[.contentLength] == nil)
    }

    @Test("a request without Host gets the upstream's authority; one with Host keeps it")
    func defaultHost() {
        let missing = forward(head([("Accept", "a")], framing: .none), framing: .none)
        #expect(missing[ForwardedHeaders.host] == "upstream:8888")
        #expect(missing[ForwardedHeaders.forwardedHost] == nil)
        #expect(missing[ForwardedHeaders.forwardedPort] == "80")
        let present = forward(head([("Host", "hub:8000")], framing: .none), framing: .none)
        #expect(present[values: ForwardedHeaders.host] == ["hub:8000"])
        #expect(present[ForwardedHeaders.forwardedPort] == "8000")
    }
}

@Suite("Forwarded response fields")
struct ForwardedResponseTests {
    func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var out = HTTPFields()
        for (name, value) in pairs { out.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return out
    }

    @Test("fields the server re-frames anyway pass through unchanged")
    func passThrough() {
        let upstream = fields([("Server", "nginx"), ("Content-Type", "text/plain"), ("Content-Length", "64"),
                               ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5")])
        #expect(ForwardedHeaders.plainResponse(from: upstream) == upstream)
    }

    @Test("Connection: close, fields named in Connection and other hop-by-hop fields are filtered")
    func filtered() {
        let close = fields([("Content-Type", "text/plain"), ("Connection", "close")])
        #expect(ForwardedHeaders.plainResponse(from: close).map(\.name.canonicalName) == ["content-type"])
        let named = fields([("Connection", "keep-alive, X-Private"), ("X-Private", "1"), ("Vary", "Accept")])
        #expect(ForwardedHeaders.plainResponse(from: named).map(\.name.canonicalName) == ["vary"])
        let upgrade = fields([("Upgrade", "h2c"), ("Trailer", "X-T"), ("ETag", "\"e\"")])
        #expect(ForwardedHeaders.plainResponse(from: upgrade).map(\.name.canonicalName) == ["etag"])
    }
}

@Suite("Forwarded request fields written as bytes")
struct ForwardedRawFieldsTests {
    func head(_ fields: [(String, String)], framing: BodyFraming = .none, upgrade: Bool = false) -> RequestHead {
        var headers = HTTPFields()
        for (name, value) in fields { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return RequestHead(method: .post, target: "/x", headers: headers, framing: framing, isUpgrade: upgrade)
    }

    func describe(_ fields: HTTPFields) -> [String] { fields.map { "\($0.name.rawName): \($0.value)" } }

    @Test("the byte path gives exactly the fields of the general path", arguments: [false, true])
    func sameAsGeneralPath(isTLS: Bool) throws {
        let cases: [(RequestHead, BodyFraming)] = [
            (head([("Host", "hub.example:8443"), ("Accept", "a"), ("Cookie", "c=1")]), .none),
            (head([("Host", "h"), ("Connection", "keep-alive, X-Secret"), ("X-Secret", "s"), ("Keep-Alive", "5"),
                   ("TE", "trailers"), ("Proxy-Authorization", "p"), ("User-Agent", "u")]), .none),
            (head([("Host", "h"), ("Content-Length", "5"), ("Accept", "a"), ("Content-Length", "5")],
                  framing: .contentLength(5)), .contentLength(5)),
            (head([("Host", "h"), ("Transfer-Encoding", "chunked")], framing: .chunked), .chunked),
            (head([("Accept", "a")]), .none),  // no Host: the upstream's authority is added
            (head([("Host", "h"), ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Key", "k")],
                  upgrade: true), .none),
        ]
        for (head, framing) in cases {
            for xForward in [true, false] {
                let general = ForwardedHeaders.request(from: head, remoteHost: "10.0.0.9", isTLS: isTLS, xForward: xForward,
                                                       customHeaders: [], framing: framing, defaultHost: "upstream:8888")
                let raw = try #require(ForwardedHeaders.requestRaw(from: head, remoteHost: "10.0.0.9", isTLS: isTLS,
                                                                    xForward: xForward, framing: framing,
                                                                    defaultHost: "upstream:8888"))
                #expect(describe(raw.fields) == describe(general))
            }
        }
    }

    @Test("a parsed request's lines, forwarded as bytes, give exactly the fields of the general path", arguments: [false, true])
    func parsedSameAsGeneralPath(isTLS: Bool) throws {
        let cases: [String] = [
            "GET /x HTTP/1.1\r\nHost: hub.example:8443\r\nAccept: a\r\nCookie: c=1\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\n"
                + "TE: trailers\r\nProxy-Authorization: p\r\nUser-Agent: u\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nAccept: a\r\nContent-Length: 5\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /x HTTP/1.1\r\nAccept: a\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n",
            "GET /x HTTP/1.0\r\nhOsT: h\r\nCONNECTION: close\r\nx-obs: caf\u{e9}\r\n\r\n",
        ]
        for text in cases {
            var parser = RequestParser()
            parser.feed(Array(text.utf8))
            guard case .head(let parsed)? = try parser.next() else { Issue.record("no head for \(text)"); continue }
            #expect(parsed.receivedFields != nil)
            // The same fields on a head built from HTTPFields, through the general path.
            let given = RequestHead(method: parsed.method, target: parsed.target, headers: parsed.headers,
                                    framing: parsed.framing, isUpgrade: parsed.isUpgrade)
            for xForward in [true, false] {
                let general = ForwardedHeaders.request(from: given, remoteHost: "10.0.0.9", isTLS: isTLS, xForward: xForward,
                                                       customHeaders: [], framing: parsed.framing, defaultHost: "upstream:8888")
                let raw = try #require(ForwardedHeaders.requestRaw(from: parsed, remoteHost: "10.0.0.9", isTLS: isTLS,
                                                                    xForward: xForward, framing: parsed.framing,
                                                                    defaultHost: "upstream:8888"))
                #expect(describe(raw.fields) == describe(general), "\(text)")
            }
        }
        var parser = RequestParser()
        parser.feed(Array("GET / HTTP/1.1\r\nHost: h\r\nx-forwarded-for: 1.2.3.4\r\n\r\n".utf8))
        guard case .head(let withForwarded)? = try parser.next() else { Issue.record("no head"); return }
        #expect(ForwardedHeaders.requestRaw(from: withForwarded, remoteHost: "10.0.0.9", isTLS: false, xForward: true,
                                            framing: .none, defaultHost: nil) == nil)
    }

    @Test("a client's own X-Forwarded-* fields send the request down the general path (they are merged)")
    func clientForwardedFields() {
        let withForwarded = head([("Host", "h"), ("X-Forwarded-For", "1.2.3.4")])
        #expect(ForwardedHeaders.requestRaw(from: withForwarded, remoteHost: "10.0.0.9", isTLS: false, xForward: true,
                                            framing: .none, defaultHost: nil) == nil)
    }
}
