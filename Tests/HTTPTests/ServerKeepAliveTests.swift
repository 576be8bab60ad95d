import Testing
import HTTPTypes
@testable import HTTP

@Suite("Server: connection persistence and ordering")
struct ServerKeepAliveTests {
    @Test("two requests on one keep-alive connection get two responses on it")
    func keepAliveReuse() async throws {
        try await withServer(handler: { request in reply("hello \(request.head.target)") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await client.readResponse()
            try await client.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
            let second = try await client.readResponse()
            #expect(first.status == 200 && first.text == "hello /a")
            #expect(second.status == 200 && second.text == "hello /b")
            #expect(first.header("Content-Length") == "8")
            #expect(first.header("Date") != nil)
            #expect(first.header("Connection") == nil)
        }
    }

    @Test("an HTTP/1.0 request without keep-alive is answered and the connection closed")
    func http10Closes() async throws {
        try await withServer(handler: { _ in reply("old") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.0\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.text == "old")
            #expect(response.header("Connection") == "close")
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("an HTTP/1.0 keep-alive request keeps the connection and says so")
    func http10KeepAlive() async throws {
        try await withServer(handler: { _ in reply("old") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = try await client.readResponse()
            #expect(first.header("Connection") == "keep-alive")
            try await client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try await client.readResponse().text == "old")
        }
    }

    @Test("two pipelined requests in one write are answered in order")
    func pipelining() async throws {
        try await withServer(handler: { request in
            // The first answer is slower, so out-of-order answering would show.
            if request.head.target == "/slow" { try await Task.sleep(for: .milliseconds(50)) }
            return reply(String(request.head.target.dropFirst()))
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "slow")
            #expect(try await client.readResponse().text == "fast")
        }
    }

    @Test("Connection: close from the client closes after the response")
    func clientClose() async throws {
        try await withServer(handler: { _ in reply("bye") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.header("Connection") == "close")
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("keepAliveHeader advertises the idle timeout")
    func keepAliveHeader() async throws {
        try await withServer({ $0.keepAliveHeader = true; $0.idleTimeout = .seconds(5) },
                             handler: { _ in reply("x") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().header("Keep-Alive") == "timeout=5")
        }
    }

    @Test("an idle keep-alive connection is closed after the idle timeout")
    func idleTimeout() async throws {
        try await withServer({ $0.idleTimeout = .milliseconds(150) }, handler: { _ in reply("x") }) { _, port in
            let client = try RawClient(port: port)
            let start = ContinuousClock.now
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await client.readResponse()
            #expect(await client.isClosedByPeer())
            // Closed by the idle timer, not at once after the response.
            #expect(ContinuousClock.now - start >= .milliseconds(140))
        }
    }

    @Test("HEAD gets the headers, the length, and no body")
    func head() async throws {
        try await withServer(handler: { _ in reply("twelve bytes") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await client.readResponse(to: .head)
            #expect(head.header("Content-Length") == "12")
            #expect(head.body.isEmpty)
            // The next response parses cleanly, so no body bytes followed the HEAD response.
            #expect(try await client.readResponse().text == "twelve bytes")
        }
    }

    @Test("204 and 304 carry no body and no added length")
    func noBodyStatuses() async throws {
        try await withServer(handler: { request in
            request.head.target == "/204" ? reply("ignored", status: .noContent) : reply("ignored", status: .notModified)
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await client.readResponse()
            #expect(first.status == 204 && first.body.isEmpty && first.header("Content-Length") == nil)
            let second = try await client.readResponse()
            #expect(second.status == 304 && second.body.isEmpty)
        }
    }

    @Test("an IPv6 loopback listener serves")
    func ipv6() async throws {
        try await withServer({ $0.host = "::1" }, handler: { _ in reply("six") }) { _, port in
            let client = try RawClient(port: port, host: "::1")
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "six")
        }
    }

    @Test("a dual-stack :: listener serves IPv4 clients too")
    func dualStack() async throws {
        try await withServer({ $0.host = "::" }, handler: { request in reply(request.remoteHost) }) { _, port in
            let client = try RawClient(port: port, host: "127.0.0.1")
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "127.0.0.1")
        }
    }
}
