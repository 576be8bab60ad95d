import HTTPTypes
import Testing
@testable import HTTP

/// Response events as comparable text; consecutive body events are merged.
func describe(_ events: [ResponseParser.Event]) -> [String] {
    var out: [String] = []
    for event in events {
        switch event {
        case .head(let h):
            let fields = h.headers.map { "\($0.name.rawName)=\($0.value)" }.joined(separator: "|")
            out.append("head \(h.status.code) '\(h.status.reasonPhrase)' \(h.version) \(h.framing) ka=\(h.keepAlive) [\(fields)]")
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

/// Parses `chunks` as responses to `method`, then reports EOF if `eof`.
func parseResponses(_ chunks: [[UInt8]], method: HTTPRequest.Method = .get, eof: Bool = false) throws(HTTPParseError) -> [String] {
    var parser = ResponseParser()
    parser.expectResponse(toMethod: method)
    var events: [ResponseParser.Event] = []
    for chunk in chunks {
        parser.feed(chunk)
        while let event = try parser.next() { events.append(event) }
    }
    if eof { while let event = try parser.finishAtEOF() { events.append(event) } }
    return describe(events)
}

func parseResponses(_ text: String, method: HTTPRequest.Method = .get, eof: Bool = false) throws(HTTPParseError) -> [String] {
    try parseResponses([Array(text.utf8)], method: method, eof: eof)
}

func responseError(_ text: String) -> HTTPParseError? {
    do {
        _ = try parseResponses(text)
        return nil
    } catch {
        return error
    }
}

@Test("a Content-Length response yields head, body and end")
func contentLengthResponse() throws {
    #expect(try parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello") == [
        "head 200 'OK' HTTP/1.1 contentLength(5) ka=true [Content-Length=5|Content-Type=text/plain]",
        "body hello", "end []",
    ])
}

@Test("the reason phrase may be empty or absent", arguments: ["HTTP/1.1 404\r\n", "HTTP/1.1 404 \r\n"])
func missingReason(_ line: String) throws {
    #expect(try parseResponses(line + "Content-Length: 0\r\n\r\n") == [
        "head 404 '' HTTP/1.1 contentLength(0) ka=true [Content-Length=0]", "end []",
    ])
}

@Test("a response to HEAD has no body despite its Content-Length")
func headResponse() throws {
    var parser = ResponseParser()
    parser.expectResponse(toMethod: .head)
    parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n".utf8))
    var events: [ResponseParser.Event] = []
    while let event = try parser.next() { events.append(event) }
    parser.expectResponse(toMethod: .get)
    parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8))
    while let event = try parser.next() { events.append(event) }
    #expect(describe(events) == [
        "head 200 'OK' HTTP/1.1 none ka=true [Content-Length=1234]", "end []",
        "head 200 'OK' HTTP/1.1 contentLength(2) ka=true [Content-Length=2]", "body ok", "end []",
    ])
}

@Test("204 and 304 responses have no body", arguments: [204, 304])
func noBodyStatuses(_ code: Int) throws {
    let events = try parseResponses("HTTP/1.1 \(code) X\r\nContent-Length: 10\r\n\r\n")
    #expect(events == ["head \(code) 'X' HTTP/1.1 none ka=true [Content-Length=10]", "end []"])
}

@Test("interim 1xx heads come out on their own, then the real response")
func interimThenFinal() throws {
    let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
    #expect(try parseResponses(text, method: .head) == [
        "head 100 'Continue' HTTP/1.1 none ka=true []", "end []",
        "head 103 'Early Hints' HTTP/1.1 none ka=true [Link=</s.css>]", "end []",
        // Still the answer to HEAD: the interim heads did not consume the expectation.
        "head 200 'OK' HTTP/1.1 none ka=true [Content-Length=2]", "end []",
    ])
}

@Test("a body without length runs until close, and finishAtEOF ends it")
func untilClose() throws {
    let events = try parseResponses([Array("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nsome ".utf8), Array("data".utf8)], eof: true)
    #expect(events == ["head 200 'OK' HTTP/1.0 untilClose ka=false [Server=x]", "body some data", "end []"])
}

@Test("a final coding other than chunked means until close, and the connection is not reused")
func responseTransferCodingNotChunked() throws {
    let events = try parseResponses("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", eof: true)
    #expect(events == ["head 200 'OK' HTTP/1.1 untilClose ka=false [Transfer-Encoding=gzip]", "body zz", "end []"])
}

@Test("Transfer-Encoding overrides Content-Length in a response, without reusing the connection")
func responseTEOverridesCL() throws {
    let events = try parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
    #expect(events.first?.hasPrefix("head 200 'OK' HTTP/1.1 chunked ka=false") == true)
    #expect(events.dropFirst() == ["body ok", "end []"])
}

@Test("a chunked response with trailers")
func chunkedResponse() throws {
    let events = try parseResponses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n")
    #expect(events == ["head 200 'OK' HTTP/1.1 chunked ka=true [Transfer-Encoding=chunked]",
                       "body wikipedia", "end [Expires=never]"])
}

@Test("101 yields head and end, then stops; the following bytes are the upgraded stream's")
func switchingProtocols() throws {
    var parser = ResponseParser()
    parser.expectResponse(toMethod: .get)
    parser.feed(Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8) + [0x81, 0x02, 0x68, 0x69])
    guard case .head(let head)? = try parser.next() else { Issue.record("expected head"); return }
    #expect(head.status == .switchingProtocols)
    guard case .end? = try parser.next() else { Issue.record("expected end"); return }
    #expect(try parser.next() == nil)
    parser.feed(Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
    #expect(try parser.next() == nil)
    #expect(try parser.finishAtEOF() == nil)
    #expect(parser.takeBufferedBytes() == [0x81, 0x02, 0x68, 0x69] + Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
}

@Test("EOF in the middle of a head or a sized body is an error; EOF between responses is not")
func eofMidMessage() throws {
    #expect(throws: HTTPParseError.self) { try parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", eof: true) }
    #expect(throws: HTTPParseError.self) { try parseResponses("HTTP/1.1 200 OK\r\nContent-Le", eof: true) }
    #expect(throws: HTTPParseError.self) { try parseResponses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe", eof: true) }
    #expect(try parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", eof: true).count == 3)
    #expect(try parseResponses("", eof: true).isEmpty)
}

@Test("malformed status lines are 400, other versions 505")
func badStatusLines() {
    for bad in ["HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 abc OK", "HTTP/1.1  200 OK", "HTTP/1.1 099 x", "HTP/1.1 200 OK",
                "HTTP/1.1 200\tOK", "HTTP/1.1 200 O\u{01}K"] {
        #expect(responseError(bad + "\r\n\r\n")?.status == .badRequest, "\(bad)")
    }
    #expect(responseError("HTTP/2.0 200 OK\r\n\r\n")?.status == .httpVersionNotSupported)
}

@Test("invalid Content-Length in a response is an error")
func responseBadContentLength() {
    #expect(throws: HTTPParseError.self) { try parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n") }
}

@Test("keep-alive on responses follows version and Connection")
func responseKeepAlive() throws {
    #expect(try parseResponses("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").first?.contains("ka=false") == true)
    #expect(try parseResponses("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").first?.contains("ka=true") == true)
}

@Test("response bytes split at every boundary yield identical events")
func responseSplits() throws {
    let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\nA: b\r\n\r\n"
        + "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop"
    let bytes = Array(text.utf8)
    let whole = try parseResponses([bytes])
    #expect(whole.count == 8)
    for split in 1..<bytes.count {
        #expect(try parseResponses([Array(bytes[..<split]), Array(bytes[split...])]) == whole, "split at \(split)")
    }
}
