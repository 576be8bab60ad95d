import Testing
import HTTPTypes
@testable import HTTP

@Suite("Client: bodies, upgrades, targets")
struct ClientExchangeTests {
    @Test("target URLs parse into scheme, host, port, socket path and base path")
    func parsesTargets() throws {
        let plain = try UpstreamTarget(url: "http://10.0.0.5:8888/user/ada/")
        #expect(plain.scheme == "http" && plain.host == "10.0.0.5" && plain.port == 8888 && plain.basePath == "/user/ada")
        let tls = try UpstreamTarget(url: "https://hub.example")
        #expect(tls.port == 443 && tls.basePath == "" && tls.isTLS)
        let v6 = try UpstreamTarget(url: "http://[::1]:9000")
        #expect(v6.host == "::1" && v6.port == 9000 && v6.authority == "[::1]:9000")
        let unix = try UpstreamTarget(url: "http+unix://%2Ftmp%2Fhub.sock/base")
        #expect(unix.unixSocketPath == "/tmp/hub.sock" && unix.basePath == "/base")
        #expect(throws: HTTPClientError.self) { try UpstreamTarget(url: "ftp://x") }
        #expect(throws: HTTPClientError.self) { try UpstreamTarget(url: "http://x:99999") }
        #expect(throws: HTTPClientError.self) { try UpstreamTarget(url: "http://") }
    }

    @Test("a POST body arrives intact and the response body streams back")
    func postRoundTrip() async throws {
        try await withServer(handler: { request in
            let body = try await request.body.collect(upTo: 1 << 20)
            return reply("\(request.head.method.rawValue) \(request.head.target) \(body.count)")
        }) { _, port in
            let group = try EventLoopGroup(threads: 2)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let payload = [UInt8](repeating: 7, count: 300_000)
            let (head, body) = try await client.request(method: .post, url: "http://127.0.0.1:\(port)/up?x=1", body: payload)
            #expect(head.status == .ok)
            #expect(String(decoding: body, as: UTF8.self) == "POST /up?x=1 300000")
        }
    }

    @Test("a chunked request body streams through send and a chunked response streams back")
    func chunkedBothWays() async throws {
        try await withServer(handler: { request in
            HTTPServerResponse(body: .stream { writer in
                for try await chunk in request.body { try await writer.write(chunk.reversed()) }
            })
        }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            var headers = HTTPFields()
            headers[HTTPField.Name("Host")!] = "127.0.0.1"
            headers[.transferEncoding] = "chunked"
            let parts = OneShotParts([Array("abc".utf8), Array("def".utf8)])
            let head = RequestHead(method: .put, target: "/", headers: headers, framing: .chunked)
            let response = try await client.send(head, body: RequestBody(next: { parts.next() }),
                                                 to: try UpstreamTarget(url: "http://127.0.0.1:\(port)"),
                                                 responseTimeout: .seconds(2))
            #expect(response.head.headers[.transferEncoding] == "chunked")
            #expect(String(decoding: try await response.body.collect(upTo: 100), as: UTF8.self) == "cbafed")
        }
    }

    @Test("a 101 response hands back the raw upstream stream")
    func upgrade() async throws {
        try await withServer(handler: { _ in
            var headers = HTTPFields()
            headers[.connection] = "Upgrade"
            headers[.upgrade] = "echo"
            return HTTPServerResponse(status: .switchingProtocols, headers: headers, body: .upgrade { stream in
                while let bytes = try await stream.read() { try await stream.write(bytes) }
            })
        }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            var headers = HTTPFields()
            headers[HTTPField.Name("Host")!] = "127.0.0.1"
            headers[.connection] = "Upgrade"
            headers[.upgrade] = "echo"
            let response = try await client.send(RequestHead(method: .get, target: "/ws", headers: headers),
                                                 body: .empty, to: try UpstreamTarget(url: "http://127.0.0.1:\(port)"),
                                                 responseTimeout: .seconds(2))
            #expect(response.head.status == .switchingProtocols)
            let stream = try #require(response.upgraded)
            try await stream.write(Array("hello".utf8))
            var echoed: [UInt8] = []
            while echoed.count < 5, let bytes = try await stream.read() { echoed += bytes }
            #expect(echoed == Array("hello".utf8))
            await stream.close()
        }
    }

    @Test("http+unix targets reach a server on a Unix-domain socket")
    func unixSocket() async throws {
        let path = "/tmp/pawshub-test-\(UInt32.random(in: 0...UInt32.max)).sock"
        try await withServer({ $0.unixSocketPath = path }, handler: { request in reply("unix \(request.head.target)") }) { _, _ in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let encoded = path.replacingSlashes()
            let (head, body) = try await client.get("http+unix://\(encoded)/hub/api")
            #expect(head.status == .ok && String(decoding: body, as: UTF8.self) == "unix /hub/api")
        }
    }

    @Test("HEAD and 204 responses release the connection without a body read")
    func bodilessResponses() async throws {
        try await withServer(handler: { request in
            request.head.method == .head ? reply("abc") : reply("", status: .noContent)
        }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            let (head, body) = try await client.request(method: .head, url: "http://127.0.0.1:\(port)/")
            #expect(head.headers[.contentLength] == "3" && body.isEmpty)
            let (noContent, _) = try await client.get("http://127.0.0.1:\(port)/")
            #expect(noContent.status == .noContent)
            #expect(await client.idleConnectionCount() == 1)
        }
    }
}

private extension String {
    func replacingSlashes() -> String { split(separator: "/", omittingEmptySubsequences: false).joined(separator: "%2F") }
}

/// Hands out prepared chunks once each (a streamed request body).
final class OneShotParts: @unchecked Sendable {
    private let lock = PThreadLock()
    private var parts: [[UInt8]]
    init(_ parts: [[UInt8]]) { self.parts = parts }
    func next() -> [UInt8]? { lock.withLock { parts.isEmpty ? nil : parts.removeFirst() } }
}
