import Glibc
import HTTPTypes
import Testing
@testable import HTTP

@Test("a response head is status line, fields in order with their case, and an empty line")
func responseHeadBytes() {
    var headers = HTTPFields()
    headers.append(HTTPField(name: .contentType, value: "text/plain"))
    headers.append(HTTPField(name: HTTPField.Name("set-cookie")!, value: "a=1"))
    headers.append(HTTPField(name: .setCookie, value: "b=2"))
    var out: [UInt8] = Array("prefix".utf8)
    HeadWriter.writeResponseHead(status: .ok, version: .http1_1, headers: headers, into: &out)
    #expect(String(decoding: out, as: UTF8.self)
            == "prefixHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n")
}

@Test("a status made from a bare code gets its standard reason phrase; a custom one is kept")
func reasonPhrases() {
    var out: [UInt8] = []
    HeadWriter.writeResponseHead(status: HTTPResponse.Status(code: 431), version: .http1_0, headers: [:], into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.0 431 Request Header Fields Too Large\r\n\r\n")
    out = []
    HeadWriter.writeResponseHead(status: HTTPResponse.Status(code: 299, reasonPhrase: "Fine"), version: .http1_1,
                                 headers: [:], into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.1 299 Fine\r\n\r\n")
    out = []
    HeadWriter.writeResponseHead(status: HTTPResponse.Status(code: 599), version: .http1_1, headers: [:], into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.1 599 \r\n\r\n")
}

@Test("a written request head parses back to the same head")
func requestHeadRoundTrip() throws {
    var headers = HTTPFields()
    headers.append(HTTPField(name: HTTPField.Name("Host")!, value: "hub:8081"))
    headers.append(HTTPField(name: .contentLength, value: "3"))
    headers.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: "10.0.0.1, 127.0.0.1"))
    let head = RequestHead(method: .post, target: "/user/a%20b/api?x=1", headers: headers)
    var out: [UInt8] = []
    HeadWriter.writeRequestHead(head, into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "POST /user/a%20b/api?x=1 HTTP/1.1\r\nHost: hub:8081\r\n"
            + "Content-Length: 3\r\nX-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n\r\n")
    let parsed = try #require(heads(try parseRequests([out + Array("abc".utf8)])).first)
    #expect(parsed.method == head.method && parsed.target == head.target && parsed.headers == head.headers)
    #expect(parsed.framing == .contentLength(3))
}

@Test("chunks are hex-sized, empty input writes nothing, and the end is 0 CRLF CRLF")
func chunkedEncoding() throws {
    var out: [UInt8] = []
    ChunkedEncoding.writeChunk(Array("hello".utf8), into: &out)
    ChunkedEncoding.writeChunk([], into: &out)
    ChunkedEncoding.writeChunk([UInt8](repeating: 0x61, count: 300), into: &out)
    Array("xyz".utf8).withUnsafeBytes { ChunkedEncoding.writeChunk($0, into: &out) }
    ChunkedEncoding.writeEnd(into: &out)
    let expected = "5\r\nhello\r\n12c\r\n" + String(repeating: "a", count: 300) + "\r\n3\r\nxyz\r\n0\r\n\r\n"
    #expect(String(decoding: out, as: UTF8.self) == expected)
    // And our own decoder reads it back.
    let request = Array("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8) + out
    #expect(describe(try parseRequests([request])).dropFirst()
            == ["body hello" + String(repeating: "a", count: 300) + "xyz", "end []"])
}

@Test("HTTP dates are IMF-fixdate in GMT")
func httpDate() {
    var t: time_t = 784_111_777
    #expect(HTTPDate.format(epochSeconds: &t) == "Sun, 06 Nov 1994 08:49:37 GMT")
    var y2k: time_t = 946_684_800
    #expect(HTTPDate.format(epochSeconds: &y2k) == "Sat, 01 Jan 2000 00:00:00 GMT")
    var before = time(nil)
    let now = HTTPDate.now()
    let after = time(nil)
    #expect(now.utf8.count == 29 && now.hasSuffix(" GMT"))
    if before == after {
        #expect(now == HTTPDate.format(epochSeconds: &before))
    }
}
