import Foundation
import HTTPTypes
import Testing
@testable import HTTP

/// Parses a response head and returns its raw fields.
private func rawFields(_ fieldLines: String) throws -> RawFields {
    var parser = ResponseParser()
    parser.expectResponse(toMethod: .get)
    parser.feed(Array("HTTP/1.1 200 OK\r\n\(fieldLines)\r\n".utf8))
    guard case .head(let head)? = try parser.next(), let raw = head.rawFields else {
        throw HTTPParseError.badRequest("no head")
    }
    return raw
}

private func text(_ raw: RawFields) -> String { String(decoding: raw.bytes, as: UTF8.self) }

@Suite("Raw field lines (the proxy's pass-through)")
struct RawFieldsTests {
    @Test("token bytes are exactly RFC 9110's tchar")
    func tokenBitmap() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in 0...255 {
            #expect(HTTPSyntax.isTokenByte(UInt8(byte)) == tchar.contains(UInt8(byte)), "byte \(byte)")
        }
    }

    @Test("lines are normalised (whitespace trimmed, the sender's case kept) and read back as the same HTTPFields")
    func normalisedAndReadable() throws {
        let raw = try rawFields("Server:  nginx \r\nX-Mixed-CASE:\tv1 \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n")
        #expect(text(raw) == "Server: nginx\r\nX-Mixed-CASE: v1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n")
        #expect(raw.count == 5)
        let fields = raw.fields
        #expect(fields.map(\.name.rawName) == ["Server", "X-Mixed-CASE", "Set-Cookie", "Set-Cookie", "Content-Length"])
        #expect(fields[values: .setCookie] == ["a=1", "b=2"])
        #expect(raw.firstValue("x-mixed-case") == "v1")
        #expect(raw.firstValue("absent") == nil)
    }

    @Test("obs-text bytes survive the round trip to HTTPFields unaltered")
    func obsText() throws {
        let bytes: [UInt8] = Array("HTTP/1.1 200 OK\r\nX-Latin: caf".utf8) + [0xE9] + Array("\r\nContent-Length: 0\r\n\r\n".utf8)
        var parser = ResponseParser()
        parser.expectResponse(toMethod: .get)
        parser.feed(bytes)
        guard case .head(let head)? = try parser.next() else { Issue.record("no head"); return }
        let field = try #require(head.headers.first { $0.name.rawName == "X-Latin" })
        field.withUnsafeBytesOfValue { #expect(Array($0) == Array("caf".utf8) + [0xE9]) }
    }

    @Test("forwardable drops hop-by-hop fields, Content-Length and fields named by Connection; keeps the rest in order")
    func forwardable() throws {
        let raw = try rawFields("""
            Date: d\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nContent-Type: text/plain\r\n\
            Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\nETag: "e"\r\nUpgrade: h2c\r\n\
            Trailer: x\r\nTE: trailers\r\nProxy-Connection: x\r\nVary: a\r\n
            """)
        let out = raw.forwardable()
        #expect(text(out) == "Date: d\r\nContent-Type: text/plain\r\nETag: \"e\"\r\nVary: a\r\n")
        #expect(out.count == 4)
        #expect(out.hasDate && !out.hasContentEncoding)
    }

    @Test("forwardable leaves out one or two runs of lines without copying, and reads back the same")
    func forwardableSkips() throws {
        let raw = try rawFields("Date: d\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nX-A: 1\r\nContent-Length: 3\r\nX-B: 2\r\n")
        let out = raw.forwardable()
        #expect(text(out) == "Date: d\r\nX-A: 1\r\nX-B: 2\r\n")
        #expect(out.count == 3 && out.fields.map(\.name.rawName) == ["Date", "X-A", "X-B"])
        #expect(out.firstValue("content-length") == nil && out.firstValue("x-b") == "2")
        var extended = out
        extended.append(HTTPField.Name("X-C")!, "3")  // appending after skips keeps only the kept lines
        #expect(text(extended) == "Date: d\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n" && extended.count == 4)
    }

    @Test("skip lists merge adjacent ranges and refuse a third run or offsets past 64 KiB")
    func skipList() {
        var skips = SkipList()
        #expect(skips.isEmpty)
        let first = skips.append(10..<20), merged = skips.append(20..<30)
        #expect(first && merged && skips.count == 1 && skips[0] == 10..<30)
        let second = skips.append(40..<50)
        #expect(second && skips.count == 2 && skips[1] == 40..<50)
        let mergedSecond = skips.append(50..<60)
        #expect(mergedSecond && skips[1] == 40..<60)
        let third = skips.append(70..<80)
        #expect(!third)
        var big = SkipList()
        let tooFar = big.append(0..<70_000)
        #expect(!tooFar && big.isEmpty)
    }

    @Test("forwardable agrees with filtering line by line, for random mixes of fields")
    func forwardableMatchesFiltering() throws {
        let pool: [(line: String, dropped: Bool)] = [
            ("Date: d", false), ("Content-Type: text/plain", false), ("X-A: 1", false), ("Content-Encoding: gzip", false),
            ("Connection: keep-alive", true), ("connection: close, upgrade", true), ("Keep-Alive: timeout=5", true),
            ("Content-Length: 3", true), ("Transfer-Encoding: chunked", true), ("Upgrade: websocket", true),
            ("TE: trailers", true), ("Proxy-Connection: x", true), ("Vary: a", false), ("Server: nginx", false),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let picked = (0..<Int.random(in: 1...9, using: &generator)).map { _ in pool.randomElement(using: &generator)! }
            // Some inputs written loosely (no space after the colon) so both parse paths are exercised.
            let loose = Bool.random(using: &generator)
            let raw = try rawFields(picked.map { (loose ? $0.line.replacingOccurrences(of: ": ", with: ":") : $0.line) + "\r\n" }.joined())
            let kept = picked.filter { !$0.dropped }.map(\.line)
            let out = raw.forwardable()
            #expect(text(out) == kept.map { $0 + "\r\n" }.joined(), "\(picked.map(\.line))")
            #expect(out.count == kept.count)
            #expect(out.hasDate == kept.contains("Date: d"))
            #expect(out.hasContentEncoding == kept.contains("Content-Encoding: gzip"))
            #expect(text(out.forwardable()) == text(out))
            var extended = out
            extended.append(HTTPField.Name("X-Z")!, "z")
            extended.append(HTTPField.Name("Connection")!, "close")
            #expect(text(extended.forwardable()) == kept.map { $0 + "\r\n" }.joined() + "X-Z: z\r\n")
        }
    }

    @Test("lines already in normal form are taken as a block; any other line makes every line normalised")
    func normalFormBlock() throws {
        let cases: [(String, String)] = [
            ("A: 1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n"),
            ("A:1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n"),
            ("A: 1 \r\nB: 2\r\n", "A: 1\r\nB: 2\r\n"),
            ("A: 1\r\nB:  2\r\n", "A: 1\r\nB: 2\r\n"),
            ("A: 1\nB: 2\n", "A: 1\r\nB: 2\r\n"),
            ("A: \r\nB:\r\n", "A: \r\nB: \r\n"),
            ("A: \r\n", "A: \r\n"),
            ("A:\t1\r\n", "A: 1\r\n"),
            ("Content-Length: 3\r\nConnection: keep-alive\r\nDate: d\r\n", "Content-Length: 3\r\nConnection: keep-alive\r\nDate: d\r\n"),
        ]
        for (input, expected) in cases {
            let raw = try rawFields(input)
            #expect(text(raw) == expected, "\(input)")
            #expect(raw.count == expected.components(separatedBy: "\r\n").count - 1)
        }
        let block = try rawFields("Content-Length: 3\r\nConnection: keep-alive\r\nDate: d\r\nX: y\r\n")
        #expect(text(block.forwardable()) == "Date: d\r\nX: y\r\n" && block.forwardable().hasDate)
        let lineByLine = try rawFields("Content-Length: 3\r\nConnection:keep-alive\r\nDate: d\r\nX: y\r\n")
        #expect(text(lineByLine.forwardable()) == "Date: d\r\nX: y\r\n")
    }

    @Test("field values are checked eight bytes at a time exactly as byte by byte")
    func fieldValueScan() {
        var generator = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0..<40 {
            for _ in 0..<60 {
                let bytes: [UInt8] = (0..<length).map { _ in
                    Int.random(in: 0..<4, using: &generator) == 0 ? interesting.randomElement(using: &generator)!
                        : UInt8.random(in: 0x20...0x7E, using: &generator)
                }
                let expectedValid = bytes.allSatisfy(HTTPSyntax.isFieldValueByte)
                let scan = bytes.withUnsafeBytes { HTTPSyntax.scanFieldValue($0) }
                #expect(scan.valid == expectedValid, "\(bytes)")
                if expectedValid { #expect(scan.highBit == bytes.contains { $0 >= 0x80 }, "\(bytes)") }
            }
        }
    }

    @Test("case-insensitive name comparison, word by word, matches the byte rule for every byte")
    func equalsLowercasedExact() {
        func reference(_ bytes: [UInt8], _ word: String) -> Bool {
            bytes.count == word.utf8.count
                && zip(bytes, word.utf8).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
        }
        var generator = SystemRandomNumberGenerator()
        for word in ["te", "host", "content-length", "transfer-encoding", "proxy-authorization", "keep-alive"] {
            let base = Array(word.utf8)
            let words: [StaticString] = ["te", "host", "content-length", "transfer-encoding", "proxy-authorization", "keep-alive"]
            let literal = words.first { $0.description == word }!
            for _ in 0..<300 {
                var bytes = base.map { Bool.random(using: &generator) && $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                if Int.random(in: 0..<3, using: &generator) == 0 {
                    // One byte changed to anything, including bytes one bit away from the expected one.
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[at] = Bool.random(using: &generator) ? bytes[at] ^ 0x20 : UInt8.random(in: 0...255, using: &generator)
                }
                let same = bytes.withUnsafeBytes { HTTPSyntax.equalsLowercased($0, literal) }
                #expect(same == reference(bytes, word), "\(bytes) vs \(word)")
            }
        }
    }

    @Test("forwardable returns the same bytes when nothing must go")
    func forwardableUnchanged() throws {
        let raw = try rawFields("Date: d\r\nContent-Encoding: gzip\r\nVary: a\r\n")
        let out = raw.forwardable()
        #expect(out.bytes == raw.bytes && out.count == 3 && out.hasDate && out.hasContentEncoding)
    }

    @Test("values appended by name cannot split a line")
    func appendSanitises() {
        var raw = RawFields()
        raw.append(HTTPField.Name("X-Test")!, " a\r\nInjected: yes ")
        #expect(text(raw) == "X-Test: a  Injected: yes\r\n")
        raw.append(HTTPField(name: .contentType, value: "text/html"))
        #expect(raw.count == 2 && raw.fields[.contentType] == "text/html")
    }

    @Test("framing facts come from the raw parse as from HTTPFields")
    func framingFromRaw() throws {
        for (fields, expected) in [
            ("Content-Length: 5\r\n", "contentLength(5) true"),
            ("Transfer-Encoding: chunked\r\n", "chunked true"),
            ("Content-Length: 5\r\nConnection: close\r\n", "contentLength(5) false"),
            ("", "untilClose false"),
        ] {
            var parser = ResponseParser()
            parser.expectResponse(toMethod: .get)
            parser.feed(Array("HTTP/1.1 200 OK\r\n\(fields)\r\n".utf8))
            guard case .head(let head)? = try parser.next() else { Issue.record("no head"); continue }
            #expect("\(head.framing) \(head.keepAlive)" == expected)
        }
    }

    @Test("setting headers on a parsed head replaces its raw fields")
    func settingHeaders() throws {
        var parser = ResponseParser()
        parser.expectResponse(toMethod: .get)
        parser.feed(Array("HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 0\r\n\r\n".utf8))
        guard case .head(var head)? = try parser.next() else { Issue.record("no head"); return }
        #expect(head.rawFields != nil)
        head.headers[.contentType] = "x/y"
        #expect(head.rawFields == nil)
        #expect(head.headers.map(\.name.rawName) == ["A", "Content-Length", "Content-Type"])
    }
}

@Suite("Responses with raw fields")
struct RawFieldsResponseTests {
    @Test("the server writes raw fields as given, frames the body itself and adds Date only when absent")
    func serverWritesRawFields() async throws {
        var withDate = RawFields()
        withDate.append(HTTPField(name: .date, value: "Thu, 01 Jan 2026 00:00:00 GMT"))
        withDate.append(HTTPField(name: HTTPField.Name("X-Upstream")!, value: "yes"))
        var noDate = RawFields()
        noDate.append(HTTPField(name: .contentType, value: "text/plain"))
        try await withServer(handler: { [withDate, noDate] request in
            let raw = request.head.target == "/dated" ? withDate : noDate
            return HTTPServerResponse(status: .ok, rawFields: raw, body: .bytes(Array("hello".utf8)))
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET /dated HTTP/1.1\r\nHost: x\r\n\r\n")
            let dated = try await client.readResponse()
            #expect(dated.text == "hello" && dated.header("Content-Length") == "5")
            #expect(dated.head.headers[values: .date] == ["Thu, 01 Jan 2026 00:00:00 GMT"])
            #expect(dated.header("X-Upstream") == "yes")
            try await client.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
            let plain = try await client.readResponse()
            #expect(plain.header("Content-Type") == "text/plain" && plain.head.headers[values: .date].count == 1)
        }
    }
}
