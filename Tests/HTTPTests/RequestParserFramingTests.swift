import HTTPTypes
import Testing
@testable import HTTP

// MARK: - Body framing

@Test("Content-Length bodies are passed on as they arrive, not held until complete")
func contentLengthStreams() throws {
    var parser = RequestParser()
    parser.feed(Array("POST /u HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".utf8))
    guard case .head(let head)? = try parser.next() else { Issue.record("expected head"); return }
    #expect(head.framing == .contentLength(10))
    guard case .body(let first)? = try parser.next() else { Issue.record("expected body"); return }
    #expect(first == Array("abc".utf8))
    #expect(try parser.next() == nil)
    #expect(parser.isMidMessage)
    parser.feed(Array("defghijGET".utf8))
    guard case .body(let rest)? = try parser.next() else { Issue.record("expected body"); return }
    #expect(rest == Array("defghij".utf8))
    guard case .end? = try parser.next() else { Issue.record("expected end"); return }
    #expect(try parser.next() == nil)
    #expect(parser.bufferedByteCount == 3)
    #expect(parser.isMidMessage)
}

@Test("Content-Length: 0 and a request without framing headers have no body")
func emptyBodies() throws {
    #expect(describe(try parseRequests("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).count == 2)
    #expect(describe(try parseRequests("DELETE / HTTP/1.1\r\n\r\nGET")).count == 2)
}

@Test("both Transfer-Encoding and Content-Length is 400 (request smuggling)")
func clAndTE() {
    #expect(requestError("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")?.status == .badRequest)
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")?.status == .badRequest)
}

@Test("duplicate Content-Length: identical values are fine, different ones are 400")
func duplicateContentLength() throws {
    for ok in ["Content-Length: 5\r\nContent-Length: 5", "Content-Length: 5, 5", "content-length: 005"] {
        let events = try parseRequests("POST / HTTP/1.1\r\n\(ok)\r\n\r\nhello")
        #expect(describe(events).dropFirst() == ["body hello", "end []"], "\(ok)")
    }
    for bad in ["Content-Length: 5\r\nContent-Length: 6", "Content-Length: 5, 6", "Content-Length: 5,"] {
        #expect(requestError("POST / HTTP/1.1\r\n\(bad)\r\n\r\nhello")?.status == .badRequest, "\(bad)")
    }
}

@Test("non-decimal, signed, empty or overflowing Content-Length is 400",
      arguments: ["abc", "-1", "+5", "", "5 5", "0x10", "99999999999999999999999", "1.5"])
func invalidContentLength(_ value: String) {
    #expect(requestError("POST / HTTP/1.1\r\nContent-Length: \(value)\r\n\r\n")?.status == .badRequest)
}

@Test("a transfer coding other than chunked is 501", arguments: ["gzip", "gzip, chunked", "chunked, gzip", "identity"])
func unsupportedTransferCoding(_ value: String) {
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: \(value)\r\n\r\n")?.status == .notImplemented)
}

@Test("chunked applied twice, an empty Transfer-Encoding, or one on HTTP/1.0 is 400")
func badTransferEncoding() {
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")?.status == .badRequest)
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")?.status == .badRequest)
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n")?.status == .badRequest)
    #expect(requestError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")?.status == .badRequest)
}

@Test("chunked bodies: hex sizes, extensions skipped, trailers delivered with the end")
func chunkedBody() throws {
    let text = "POST /c HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
        + "5\r\nhello\r\n1A;name=value;x=\"q\"\r\n" + String(repeating: "z", count: 26) + "\r\n"
        + "0 ; last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
    let events = try parseRequests(text)
    #expect(describe(events) == [
        "head POST /c HTTP/1.1 chunked ka=true cont=false up=false [Transfer-Encoding=Chunked]",
        "body hello" + String(repeating: "z", count: 26),
        "end [X-Checksum=abc|X-Other=1]",
    ])
}

@Test("bad chunk size lines are 400", arguments: ["xyz", "", ";ext", "5 x", "FFFFFFFFFFFFFFFFF", "-5", "5\u{01}"])
func badChunkSizes(_ line: String) {
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(line)\r\nhello\r\n0\r\n\r\n")?.status
            == .badRequest)
}

@Test("a chunk size line over the limit is 400, even before its line ending")
func chunkLineTooLong() {
    var limits = HTTPLimits()
    limits.maxChunkLineBytes = 32
    let prefix = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;"
    #expect(requestError(prefix + String(repeating: "e", count: 40), limits: limits)?.status == .badRequest)
    #expect(requestError(prefix + String(repeating: "e", count: 40) + "\r\nhello\r\n0\r\n\r\n", limits: limits)?.status == .badRequest)
    #expect(requestError(prefix + "e\r\nhello\r\n0\r\n\r\n", limits: limits) == nil)
}

@Test("missing CRLF after chunk data is 400")
func missingChunkCRLF() {
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n")?.status == .badRequest)
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n")?.status == .badRequest)
}

@Test("trailers are bounded by the header limits")
func trailerLimits() {
    var limits = HTTPLimits()
    limits.maxHeaderCount = 2
    let body = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
    #expect(requestError(body, limits: limits)?.status == .requestHeaderFieldsTooLarge)
    #expect(requestError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Name: 1\r\n\r\n")?.status == .badRequest)
}

// MARK: - Connection semantics

@Test("keep-alive follows the version default and the Connection list", arguments: [
    ("HTTP/1.1", "", true), ("HTTP/1.1", "Connection: close\r\n", false),
    ("HTTP/1.1", "Connection: Keep-Alive, CLOSE\r\n", false), ("HTTP/1.0", "", false),
    ("HTTP/1.0", "Connection: keep-alive\r\n", true), ("HTTP/1.0", "Connection: x, Keep-Alive\r\n", true),
    ("HTTP/1.1", "Connection: keep-alive\r\nConnection: close\r\n", false),
])
func keepAlive(_ version: String, _ header: String, _ expected: Bool) throws {
    let head = try #require(heads(try parseRequests("GET / \(version)\r\n\(header)\r\n")).first)
    #expect(head.keepAlive == expected)
}

@Test("Expect: 100-continue is reported for HTTP/1.1 only")
func expectContinue() throws {
    let h11 = try #require(heads(try parseRequests("PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n")).first)
    #expect(h11.expectsContinue)
    let h10 = try #require(heads(try parseRequests("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n")).first)
    #expect(!h10.expectsContinue)
}

@Test("an upgrade needs Connection: upgrade and an Upgrade header; the rest of the bytes are handed back")
func upgradeRequest() throws {
    var parser = RequestParser()
    parser.feed(Array(("GET /ws HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n").utf8) + [0x81, 0x00])
    guard case .head(let head)? = try parser.next() else { Issue.record("expected head"); return }
    #expect(head.isUpgrade)
    #expect(parser.takeBufferedBytes() == [0x81, 0x00])
    #expect(parser.bufferedByteCount == 0)
    let noHeader = try #require(heads(try parseRequests("GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n")).first)
    #expect(!noHeader.isUpgrade)
    let noOption = try #require(heads(try parseRequests("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")).first)
    #expect(!noOption.isUpgrade)
}

@Test("isMidMessage is true for a partial head and during a body, false between requests")
func midMessage() throws {
    var parser = RequestParser()
    #expect(!parser.isMidMessage)
    parser.feed(Array("GET / HT".utf8))
    #expect(try parser.next() == nil)
    #expect(parser.isMidMessage)
    parser.feed(Array("TP/1.1\r\n\r\n".utf8))
    guard case .head? = try parser.next() else { Issue.record("expected head"); return }
    #expect(parser.isMidMessage)
    guard case .end? = try parser.next() else { Issue.record("expected end"); return }
    #expect(!parser.isMidMessage)
}

// MARK: - Pipelining and splitting

let pipelined = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"
    + "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n"
    + "GET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"

@Test("pipelined requests come out in order with their bodies")
func pipelinedRequests() throws {
    let events = describe(try parseRequests(pipelined))
    #expect(events == [
        "head GET /a HTTP/1.1 none ka=true cont=false up=false [Host=h]", "end []",
        "head POST /b HTTP/1.1 contentLength(11) ka=true cont=false up=false [Host=h|Content-Length=11]",
        "body hello world", "end []",
        "head PUT /c HTTP/1.1 chunked ka=true cont=false up=false [Transfer-Encoding=chunked]",
        "body abc0123456789abcdef", "end [T=v]",
        "head GET /d HTTP/1.0 none ka=true cont=false up=false [Connection=keep-alive]", "end []",
    ])
}

@Test("the same bytes split at every boundary, or fed byte by byte, yield identical events")
func splitAtEveryBoundary() throws {
    let bytes = Array(pipelined.utf8)
    let whole = describe(try parseRequests([bytes]))
    for split in 1..<bytes.count {
        let parts = [Array(bytes[..<split]), Array(bytes[split...])]
        #expect(describe(try parseRequests(parts)) == whole, "split at \(split)")
    }
    #expect(describe(try parseRequests(bytes.map { [$0] })) == whole)
}

@Test("raw-buffer feeding behaves like array feeding")
func rawBufferFeed() throws {
    var parser = RequestParser()
    Array(pipelined.utf8).withUnsafeBytes { parser.feed($0) }
    var events: [RequestParser.Event] = []
    while let event = try parser.next() { events.append(event) }
    #expect(describe(events) == describe(try parseRequests(pipelined)))
}

@Test("two Host lines are 400; a missing Host is left to the application")
func duplicateHost() throws {
    #expect(requestError("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n")?.status == .badRequest)
    #expect(requestError("GET / HTTP/1.1\r\n\r\n") == nil)
}
