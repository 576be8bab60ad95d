import Testing
import HTTPTypes
@testable import HTTP

@Suite("Server: malformed input and failures")
struct ServerErrorTests {
    /// Requests the parser must refuse, by the status they earn.
    static let badRequests: [(name: String, status: Int)] = [
        ("header too large", 431), ("request line too long", 414), ("garbage", 400),
        ("HTTP/2.0", 505), ("unknown transfer coding", 501),
    ]

    static func wire(_ name: String) -> String {
        switch name {
        case "header too large": return "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 70_000))\r\n\r\n"
        case "request line too long": return "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n"
        case "garbage": return "GARBAGE\r\n\r\n"
        case "HTTP/2.0": return "GET / HTTP/2.0\r\nHost: x\r\n\r\n"
        default: return "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
        }
    }

    @Test("protocol errors from the wire are answered with their status and the connection is closed",
          arguments: badRequests)
    func wireErrors(name: String, status: Int) async throws {
        try await withServer(handler: { _ in reply("never") }) { _, port in
            let client = try RawClient(port: port)
            try? await client.send(Self.wire(name))
            let response = try await client.readResponse()
            #expect(response.status == status)
            #expect(response.header("Connection") == "close")
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("too many header fields is 431")
    func headerCount() async throws {
        try await withServer(handler: { _ in reply("never") }) { _, port in
            let client = try RawClient(port: port)
            let fields = (0..<150).map { "X-F\($0): v\r\n" }.joined()
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\(fields)\r\n")
            #expect(try await client.readResponse().status == 431)
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("a head trickled slower than the header timeout gets 408 and is closed (slowloris)")
    func slowloris() async throws {
        try await withServer({ $0.headerReadTimeout = .milliseconds(200) }, handler: { _ in reply("never") }) { _, port in
            let client = try RawClient(port: port)
            let start = ContinuousClock.now
            // Each byte comes well within the timeout; the head as a whole does not.
            for byte in "GET / HTTP/1.1\r\nHost: x\r\n".utf8 {
                try? await client.send([byte])
                try await Task.sleep(for: .milliseconds(20))
                if ContinuousClock.now - start > .milliseconds(600) { break }
            }
            let response = try await client.readResponse()
            #expect(response.status == 408)
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("a handler that throws yields 500 and the connection stays usable")
    func handlerThrows() async throws {
        struct Boom: Error {}
        try await withServer(handler: { request in
            if request.head.target == "/boom" { throw Boom() }
            return reply("fine")
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().status == 500)
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "fine")
        }
    }

    @Test("a body over the handler's collect limit yields 413")
    func bodyTooLarge() async throws {
        try await withServer(handler: { request in
            _ = try await request.body.collect(upTo: 10)
            return reply("never")
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n01234567890123456789")
            #expect(try await client.readResponse().status == 413)
        }
    }

    @Test("a malformed chunked body is answered 400 and closed")
    func badChunk() async throws {
        try await withServer(handler: { request in
            _ = try await request.body.collect(upTo: 1000)
            return reply("never")
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n")
            #expect(try await client.readResponse().status == 400)
            #expect(await client.isClosedByPeer())
        }
    }
}
