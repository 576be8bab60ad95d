import Testing
import HTTPTypes
@testable import HTTP

@Suite("Client: pooling, retries and timeouts")
struct ClientPoolingTests {
    @Test("a second request to the same target reuses the pooled connection")
    func reusesConnection() async throws {
        try await withServer(handler: { request in reply("\(request.remotePort)") }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let (first, firstBody) = try await client.get("http://127.0.0.1:\(port)/a")
            let (_, secondBody) = try await client.get("http://127.0.0.1:\(port)/b")
            #expect(first.status == .ok)
            #expect(firstBody == secondBody)  // same client port: same connection
            #expect(await client.idleConnectionCount() == 1)
            await client.shutdown()
            #expect(await client.idleConnectionCount() == 0)
        }
    }

    @Test("a pooled connection the server closed while idle is dropped from the pool")
    func dropsClosedIdleConnection() async throws {
        let hangUp = Gate()
        let upstream = try ScriptedUpstream(connections: 2) { index, connection in
            _ = connection.readRequestHead()
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(index)")
            if index == 0 {
                _ = hangUp.waitBlocking(timeout: .seconds(10))  // the test opens it; the bound only guards a hung run
                connection.close()
            }
        }
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group)
        #expect(try await client.get("http://127.0.0.1:\(upstream.port)/").1 == Array("0".utf8))
        // The connection returns to the pool on its loop once the body ended; give a loaded machine a moment.
        var pooled = 0
        for _ in 0..<300 where pooled != 1 {
            pooled = await client.idleConnectionCount()
            if pooled != 1 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(pooled == 1)
        hangUp.open()
        var count = 1
        for _ in 0..<300 where count > 0 {
            try await Task.sleep(for: .milliseconds(5))
            count = await client.idleConnectionCount()
        }
        #expect(count == 0)
        #expect(try await client.get("http://127.0.0.1:\(upstream.port)/").1 == Array("1".utf8))
    }

    @Test("a request that finds its pooled connection dead is retried once on a fresh one")
    func retriesOnStaleConnection() async throws {
        let upstream = try ScriptedUpstream(connections: 2) { index, connection in
            if index == 0 {
                _ = connection.readRequestHead()
                connection.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
                _ = connection.readRequestHead()  // the reused request arrives; hang up without answering
                connection.close()
            } else {
                _ = connection.readRequestHead()
                connection.send("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")
            }
        }
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group)
        let (_, first) = try await client.get("http://127.0.0.1:\(upstream.port)/")
        let (head, second) = try await client.get("http://127.0.0.1:\(upstream.port)/")
        #expect(first == Array("first".utf8))
        #expect(head.status == .ok && second == Array("second".utf8))
        #expect(upstream.acceptedCount == 2)
    }

    @Test("a POST with a body is not retried after the body went out")
    func noRetryForSentPost() async throws {
        let upstream = try ScriptedUpstream(connections: 2) { index, connection in
            _ = connection.readRequestHead()
            if index == 0 {
                connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                _ = connection.readRequestHead()
            }
            connection.close()
        }
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group)
        _ = try await client.get("http://127.0.0.1:\(upstream.port)/")
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.request(method: .post, url: "http://127.0.0.1:\(upstream.port)/", body: Array("data".utf8))
        }
    }

    @Test("the response timeout bounds the wait for the head")
    func responseTimeout() async throws {
        try await withServer(handler: { _ in
            try await Task.sleep(for: .seconds(5))
            return reply("late")
        }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let start = ContinuousClock.now
            do {
                _ = try await client.get("http://127.0.0.1:\(port)/", timeout: .milliseconds(150))
                Issue.record("expected a timeout")
            } catch let error as HTTPClientError {
                guard case .timedOut = error else { Issue.record("got \(error)"); return }
            }
            // Well below the handler's 5 s (generous: the machine is shared with other builds).
            #expect(ContinuousClock.now - start < .seconds(4))
        }
    }

    @Test("connecting to a closed port fails with connectFailed")
    func connectRefused() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group)
        // Port 1 on loopback: nothing listens there.
        do {
            _ = try await client.get("http://127.0.0.1:1/")
            Issue.record("expected a failure")
        } catch let error as HTTPClientError {
            guard case .connectFailed = error else { Issue.record("got \(error)"); return }
        }
    }
}
