import HTTPTypes
import Testing
@testable import HTTP

// MARK: - Helpers shared by the parser test files

/// Events as comparable text; consecutive body events are merged so different splits compare equal.
func describe(_ events: [RequestParser.Event]) -> [String] {
    var out: [String] = []
    for event in events {
        switch event {
        case .head(let h):
            let fields = h.headers.map { "\($0.name.rawName)=\($0.value)" }.joined(separator: "|")
            out.append("head \(h.method.rawValue) \(h.target) \(h.version) \(h.framing) ka=\(h.keepAlive) "
                       + "cont=\(h.expectsContinue) up=\(h.isUpgrade) [\(fields)]")
        case .body(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            if let last = out.last, last.hasPrefix("body ") { out[out.count - 1] = last + text }
            else { out.append("body " + text) }
        case .end(let trailers):
            out.append("end [" + trailers.map { "\($0.name.rawName)=\($0.value)" }.joined(separator: "|") + "]")
        }
    }
    return out
}

/// Feeds `chunks` one by one, draining events after each.
func parseRequests(_ chunks: [[UInt8]], limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> [RequestParser.Event] {
    var parser = RequestParser(limits: limits)
    var events: [RequestParser.Event] = []
    for chunk in chunks {
        parser.feed(chunk)
        while let event = try parser.next() { events.append(event) }
    }
    return events
}

func parseRequests(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> [RequestParser.Event] {
    try parseRequests([Array(text.utf8)], limits: limits)
}

/// The error the parser raises for `text`, or nil if it parses.
func requestError(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParseError? {
    do {
        _ = try parseRequests(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

func heads(_ events: [RequestParser.Event]) -> [RequestHead] {
    events.compactMap { if case .head(let h) = $0 { h } else { nil } }
}

// MARK: - Request line and headers

@Test("a plain GET yields its head with fields in order, repeats kept, then an empty end")
func plainGet() throws {
    let events = try parseRequests("GET /hub/api/users?limit=2 HTTP/1.1\r\nHost: example.org\r\nCookie: a=1\r\n"
                                   + "cookie: b=2\r\nAccept:   */*  \r\n\r\n")
    #expect(events.count == 2)
    let head = try #require(heads(events).first)
    #expect(head.method == .get)
    #expect(head.target == "/hub/api/users?limit=2")
    #expect(head.path == "/hub/api/users")
    #expect(head.version == .http1_1)
    #expect(head.framing == BodyFraming.none)
    #expect(head.keepAlive)
    #expect(!head.expectsContinue && !head.isUpgrade)
    #expect(head.headers.map(\.name.rawName) == ["Host", "Cookie", "cookie", "Accept"])
    #expect(head.headers[values: .cookie] == ["a=1", "b=2"])
    #expect(head.headers[.accept] == "*/*")
    guard case .end(let trailers) = events[1] else { Issue.record("expected end"); return }
    #expect(trailers.isEmpty)
}

@Test("a parsed head keeps its fields as received; single reads agree with HTTPFields; setting replaces them")
func receivedFieldsReads() throws {
    let events = try parseRequests("GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1\r\ncookie: b=2\r\nX-Multi: 1\r\n"
                                   + "x-multi: 2\r\nAuthorization: token t\r\nX-Obs: caf\u{e9}\r\n\r\n")
    var head = try #require(heads(events).first)
    let raw = try #require(head.receivedFields)
    #expect(String(decoding: raw.bytes, as: UTF8.self)
            == "Host: h\r\nCookie: a=1\r\ncookie: b=2\r\nX-Multi: 1\r\nx-multi: 2\r\nAuthorization: token t\r\nX-Obs: caf\u{e9}\r\n")
    let built = head.headers
    for name in [HTTPField.Name.cookie, .authorization, .accept, HTTPField.Name("X-Multi")!, HTTPField.Name("Host")!,
                 HTTPField.Name("X-Obs")!] {
        #expect(head.value(name) == built[name], "\(name)")
        #expect(head.contains(name) == built.contains(name), "\(name)")
    }
    #expect(head.value(.cookie) == "a=1; b=2")
    #expect(head.value(HTTPField.Name("x-multi")!) == "1, 2")
    head.headers[.accept] = "text/html"
    #expect(head.receivedFields == nil)
    #expect(head.value(.accept) == "text/html" && head.value(.authorization) == "token t")
}

@Test("a bodiless message can be ended without its .end event; a message with a body cannot")
func skipEmptyBody() throws {
    var parser = RequestParser()
    parser.feed(Array(("GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
                       + "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nokGET /d HTTP/1.1\r\n\r\n").utf8))
    var targets: [String] = []
    var skipped: [Bool] = []
    while let event = try parser.next() {
        switch event {
        case .head(let head):
            targets.append(head.target)
            skipped.append(parser.skipEmptyBody())
        case .body(let bytes): targets.append(String(decoding: bytes, as: UTF8.self))
        case .end: targets.append("end")
        }
    }
    #expect(targets == ["/a", "/b", "/c", "ok", "end", "/d"])
    #expect(skipped == [true, true, false, true])
    #expect(!parser.isMidMessage)
}

@Test("lone LF line endings and empty lines before the request line are tolerated")
func loneLFAndLeadingEmptyLines() throws {
    let events = try parseRequests("\r\n\n\r\nPOST /x HTTP/1.1\nContent-Length: 2\nX-A: b\n\nhi")
    #expect(describe(events) == ["head POST /x HTTP/1.1 contentLength(2) ka=true cont=false up=false [Content-Length=2|X-A=b]",
                                 "body hi", "end []"])
}

@Test("an unknown but well-formed method is accepted as a token")
func extensionMethod() throws {
    let head = try #require(heads(try parseRequests("PROPFIND /dav HTTP/1.1\r\n\r\n")).first)
    #expect(head.method.rawValue == "PROPFIND")
}

@Test("malformed request lines are 400", arguments: [
    "GET /\r\n\r\n", "GET\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "G@T / HTTP/1.1\r\n\r\n",
    "GET / HTTP/1.1 x\r\n\r\n", "GET /a\u{01}b HTTP/1.1\r\n\r\n", "GET / http/1.1\r\n\r\n",
    "GET / HTTP/1.12\r\n\r\n", "GET / HTTP/1\r\n\r\n", " GET / HTTP/1.1\r\n\r\n", "GET /\tx HTTP/1.1\r\n\r\n",
    "GET / HTTP/1.1\r\r\n\r\n",
])
func badRequestLines(_ text: String) {
    #expect(requestError(text)?.status == .badRequest)
}

@Test("a target that is not UTF-8 is refused rather than altered")
func nonUTF8Target() {
    let bytes: [UInt8] = Array("GET /".utf8) + [0xFF, 0xFE] + Array(" HTTP/1.1\r\n\r\n".utf8)
    #expect(throws: HTTPParseError.self) { try parseRequests([bytes]) }
}

@Test("HTTP versions other than 1.0 and 1.1 are 505", arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"])
func unsupportedVersions(_ version: String) {
    #expect(requestError("GET / \(version)\r\n\r\n")?.status == .httpVersionNotSupported)
}

@Test("malformed header lines are 400", arguments: [
    "Host : x", "Host\t: x", "Host", ": x", "Ho st: x", "X-A: a\u{01}b", "X-A: a\rb", "X-A: a\u{7F}",
    "Hö: x",
])
func badHeaderLines(_ line: String) {
    #expect(requestError("GET / HTTP/1.1\r\n\(line)\r\n\r\n")?.status == .badRequest)
}

@Test("obsolete line folding is 400")
func obsFold() {
    #expect(requestError("GET / HTTP/1.1\r\nX-A: a\r\n  folded\r\n\r\n")?.status == .badRequest)
    #expect(requestError("GET / HTTP/1.1\r\nX-A: a\r\n\tfolded\r\n\r\n")?.status == .badRequest)
}

@Test("header values keep inner whitespace, tabs and obs-text; outer OWS is trimmed")
func headerValueTrimming() throws {
    let bytes: [UInt8] = Array("GET / HTTP/1.1\r\nX-A: \t a \t b \t\r\nX-B:\r\nX-C: caf".utf8) + [0xE9] + Array("\r\n\r\n".utf8)
    let head = try #require(heads(try parseRequests([bytes])).first)
    #expect(head.headers[HTTPField.Name("X-A")!] == "a \t b")
    #expect(head.headers[HTTPField.Name("X-B")!] == "")
    let raw = head.headers[fields: HTTPField.Name("X-C")!].first?.withUnsafeBytesOfValue { Array($0) }
    #expect(raw == Array("caf".utf8) + [0xE9])
}

// MARK: - Limits

@Test("a request line over the limit is 414, with or without its line ending yet")
func requestLineTooLong() {
    var limits = HTTPLimits()
    limits.maxRequestLineBytes = 64
    let long = "GET /" + String(repeating: "a", count: 100)
    #expect(requestError(long, limits: limits)?.status == .uriTooLong)
    #expect(requestError(long + " HTTP/1.1\r\n\r\n", limits: limits)?.status == .uriTooLong)
    #expect(requestError("GET /" + String(repeating: "a", count: 50) + " HTTP/1.1\r\n\r\n", limits: limits) == nil)
}

@Test("a header section over the byte limit is 431, even before it is complete")
func headerBytesLimit() {
    var limits = HTTPLimits()
    limits.maxHeaderBytes = 100
    #expect(requestError("GET / HTTP/1.1\r\nX-A: " + String(repeating: "b", count: 200), limits: limits)?.status
            == .requestHeaderFieldsTooLarge)
    #expect(requestError("GET / HTTP/1.1\r\nX-A: " + String(repeating: "b", count: 80) + "\r\n\r\n", limits: limits) == nil)
}

@Test("more header lines than allowed is 431")
func headerCountLimit() {
    var limits = HTTPLimits()
    limits.maxHeaderCount = 3
    let three = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
    #expect(requestError(three, limits: limits) == nil)
    #expect(requestError("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits: limits)?.status
            == .requestHeaderFieldsTooLarge)
}

@Test("a 60 KiB header fed one byte at a time parses in linear time")
func byteAtATimeIsLinear() throws {
    let text = "GET / HTTP/1.1\r\nCookie: " + String(repeating: "c", count: 60 * 1024) + "\r\n\r\n"
    var parser = RequestParser()
    let clock = ContinuousClock()
    var head: RequestHead?
    let elapsed = try clock.measure {
        for byte in text.utf8 {
            parser.feed([byte])
            if case .head(let h)? = try parser.next() { head = h }
        }
    }
    #expect(head?.headers[.cookie]?.utf8.count == 60 * 1024)
    // Quadratic rescanning would take minutes here; linear takes milliseconds even in debug builds.
    #expect(elapsed < .seconds(3))
}

@Test("after an error the parser stays failed")
func errorsAreSticky() throws {
    var parser = RequestParser()
    parser.feed(Array("BAD\r\n\r\n".utf8))
    #expect(throws: HTTPParseError.self) { try parser.next() }
    parser.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8))
    #expect(throws: HTTPParseError.self) { try parser.next() }
}

@Test("once a large request is consumed the parser lets go of its big buffer")
func idleParserIsSmall() throws {
    var buffer = ParseBuffer()
    buffer.append(Array("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: 100_000))
    _ = buffer.take(40)
    _ = buffer.take(buffer.count - 1)
    #expect(buffer.capacity > 4096)
    buffer.consume(1)
    #expect(buffer.isEmpty && buffer.capacity <= 4096)
    var parser = RequestParser()
    parser.feed(Array("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".utf8))
    parser.feed([UInt8](repeating: 0x61, count: 100_000))
    var bodyBytes = 0
    while let event = try parser.next() { if case .body(let b) = event { bodyBytes += b.count } }
    #expect(bodyBytes == 100_000 && parser.bufferedByteCount == 0 && !parser.isMidMessage)
}
