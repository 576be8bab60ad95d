import Glibc
import Testing
import HTTPTypes
@testable import HTTP

@Suite("Server: start, capacity and shutdown")
struct ServerLifecycleTests {
    @Test("graceful shutdown lets an in-flight request finish and closes idle connections")
    func gracefulShutdown() async throws {
        let inHandler = Gate(), release = Gate()
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.idleTimeout = .seconds(30)
        let group = try EventLoopGroup(threads: 2)
        defer { group.shutdown() }
        let server = HTTPServer(configuration: configuration, group: group, handler: HandlerFunction { request in
            if request.head.target == "/slow" {
                inHandler.open()
                await release.wait()
            }
            return reply("done")
        })
        try server.start()
        let port = server.boundPort
        let idle = try RawClient(port: port)
        try await idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try await idle.readResponse()
        let busy = try RawClient(port: port)
        try await busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await waitFor(inHandler))
        let shutdown = Task { await server.shutdown(gracePeriod: .seconds(2)) }
        // Once no listener accepts, every loop has begun shutting down; only then may the handler finish.
        var refused = false
        for _ in 0..<200 where !refused {
            refused = (try? RawClient(port: port)) == nil
            if !refused { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(refused)
        release.open()
        let response = try await busy.readResponse()
        #expect(response.text == "done")
        #expect(response.header("Connection") == "close")
        #expect(await idle.isClosedByPeer())
        await shutdown.value
        #expect(server.connectionCount == 0)
    }

    @Test("shutdown closes connections whose requests outlive the grace period")
    func shutdownDeadline() async throws {
        let inHandler = Gate()
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let server = HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0), group: group,
                                handler: HandlerFunction { _ in
            inHandler.open()
            try await Task.sleep(for: .seconds(10))
            return reply("too late")
        })
        try server.start()
        let client = try RawClient(port: server.boundPort)
        try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await waitFor(inHandler))
        let start = ContinuousClock.now
        await server.shutdown(gracePeriod: .milliseconds(100))
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(await client.isClosedByPeer())
    }

    @Test("a thousand concurrent connections are all served")
    func thousandConnections() async throws {
        try await withServer(handler: { request in reply(String(request.head.target.dropFirst())) }) { _, port in
            // One blocking batch on one Dispatch thread: a thousand hops would crowd out other tests.
            let correct = try await offPool { () throws -> Int in
                var clients: [RawClient] = []
                for _ in 0..<1000 { clients.append(try RawClient(port: port)) }
                for (index, client) in clients.enumerated() {
                    try client.sendBlocking("GET /\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                }
                var correct = 0
                for (index, client) in clients.enumerated() where try client.readResponseBlocking().text == "\(index)" {
                    correct += 1
                }
                return correct
            }
            #expect(correct == 1000)
        }
    }

    @Test("over maxConnections the server stops accepting until a connection closes")
    func maxConnections() async throws {
        try await withServer({ $0.maxConnections = 1 }, threads: 1, handler: { _ in reply("hi") }) { server, port in
            let first = try RawClient(port: port)
            try await first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await first.readResponse()
            // The kernel completes the handshake into the backlog, but nobody serves it yet.
            let second = try RawClient(port: port, timeout: .milliseconds(300))
            try await second.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await #expect(throws: (any Error).self) { _ = try await second.readResponse() }
            try await first.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            _ = try await first.readResponse()
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(second.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            #expect(try await second.readResponse().text == "hi")
        }
    }

    @Test("starting on a port in use fails with an error, not a crash")
    func portInUse() async throws {
        try await withServer(handler: { _ in reply("x") }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let second = HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: port), group: group,
                                    handler: HandlerFunction { _ in reply("y") })
            #expect(throws: IOError.self) { try second.start() }
        }
    }
}

/// Waits (bounded) for a gate without blocking a cooperative thread for long.
func waitFor(_ gate: Gate, timeout: Duration = .seconds(2)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if gate.waitBlocking(timeout: .milliseconds(1)) { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return false
}
