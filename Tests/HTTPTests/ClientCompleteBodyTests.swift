import Testing
import HTTPTypes
@testable import HTTP

@Suite("Client: small bodies arrive whole with the head")
struct ClientCompleteBodyTests {
    func send(_ client: HTTPClient, _ port: Int, _ path: String) async throws -> ClientResponse {
        let (target, requestTarget) = try UpstreamTarget.parse("http://127.0.0.1:\(port)\(path)")
        let head = RequestHead(method: .get, target: requestTarget, headers: [HTTPField.Name.hostField: target.authority])
        return try await client.send(head, body: .empty, to: target, responseTimeout: .seconds(10))
    }

    @Test("a small Content-Length body is complete, the body stream yields the same bytes, and the connection is pooled at once")
    func smallBodyComplete() async throws {
        try await withServer(handler: { request in reply("hello \(request.head.target)") }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let response = try await send(client, port, "/small")
            #expect(response.completeBody == Array("hello /small".utf8))
            // Pooled before anyone read the body stream.
            #expect(await client.idleConnectionCount() == 1)
            #expect(try await response.body.collect(upTo: 1 << 20) == Array("hello /small".utf8))
            // The next exchange reuses the connection and still gets its own body.
            let second = try await send(client, port, "/again")
            #expect(second.completeBody == Array("hello /again".utf8))
            await client.shutdown()
        }
    }

    @Test("a body larger than the prefetch limit is streamed, not gathered")
    func bigBodyStreamed() async throws {
        let big = [UInt8](repeating: 0x61, count: 3 * ClientBodyReader.prefetchLimit)
        try await withServer(handler: { _ in HTTPServerResponse(status: .ok, body: .bytes(big)) }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let response = try await send(client, port, "/big")
            #expect(response.completeBody == nil)
            #expect(try await response.body.collect(upTo: 1 << 22) == big)
            await client.shutdown()
        }
    }

    @Test("an empty Content-Length: 0 body is complete and empty")
    func emptyBodyComplete() async throws {
        try await withServer(handler: { _ in HTTPServerResponse(status: .ok, headers: [.contentLength: "0"], body: .empty) }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let response = try await send(client, port, "/empty")
            #expect(response.completeBody == [])
            #expect(try await response.body.collect(upTo: 1024) == [])
            await client.shutdown()
        }
    }
}
