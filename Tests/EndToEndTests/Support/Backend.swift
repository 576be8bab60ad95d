// An upstream the tests run in-process on the engine's HTTPServer: it reports what it received
// (method, target, headers, body size) so tests can see exactly what the proxy forwarded.
import Foundation
import HTTP
import HTTPTypes
import Logging

/// What the backend saw, returned to the test as the JSON body of every `/…` response.
struct SeenRequest: Codable {
    var method: String
    var target: String
    var headers: [[String]]
    var bodyBytes: Int
    var bodySum: UInt64

    func header(_ name: String) -> String? { headers.first { $0[0].lowercased() == name.lowercased() }?[1] }
    func headers(_ name: String) -> [String] { headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] } }
}

/// A running backend.
final class Backend: @unchecked Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    var port: Int { server.boundPort }
    var url: String { "http://127.0.0.1:\(port)" }

    /// Special paths: `/status/<code>`, `/big/<bytes>`, `/slow/<ms>`, `/ws` (echo WebSocket),
    /// `/ws-push` (pushes frames, never reads), `/ws-refuse` (403 to the upgrade). Anything else echoes.
    init(unixSocketPath: String? = nil) throws {
        group = try EventLoopGroup(threads: 1)
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.unixSocketPath = unixSocketPath
        configuration.idleTimeout = .seconds(30)
        server = HTTPServer(configuration: configuration, group: group, handler: BackendHandler(),
                            logger: Logger(label: "backend", factory: { _ in SwiftLogNoOpLogHandler() }))
        try server.start()
    }

    func stop() async {
        await server.shutdown(gracePeriod: .seconds(1))
        group.shutdown()
    }
}

struct BackendHandler: HTTPHandler {
    func handle(_ request: HTTPServerRequest) async throws -> HTTPServerResponse {
        // Markers may follow a route prefix (`/user/a/status/404`), so look for them anywhere.
        let path = String(request.head.path)
        func argument(_ marker: String) -> Int? {
            guard let range = path.range(of: marker, options: .backwards) else { return nil }
            return Int(path[range.upperBound...])
        }
        if let code = argument("/status/") {
            var headers: HTTPFields = [.contentType: "text/plain"]
            if code == 301 { headers[.location] = "/elsewhere?x=1" }
            return HTTPServerResponse(status: HTTPResponse.Status(code: code), headers: headers,
                                      body: .bytes(Array("status \(code)".utf8)))
        }
        if let size = argument("/big/") {
            return HTTPServerResponse(status: .ok, headers: [.contentType: "application/octet-stream"], body: .stream { writer in
                var left = size
                let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
                while left > 0 {
                    let n = min(left, chunk.count)
                    try await writer.write(n == chunk.count ? chunk : Array(chunk[..<n]))
                    left -= n
                }
            })
        }
        if let ms = argument("/slow/") {
            try await Task.sleep(for: .milliseconds(ms))
            return HTTPServerResponse(status: .ok, body: .bytes(Array("slow".utf8)))
        }
        if path.hasSuffix("/ws") || path.hasSuffix("/ws-push") || path.hasSuffix("/ws-refuse") {
            return websocket(request, mode: path)
        }
        var count = 0
        var sum: UInt64 = 0
        for try await chunk in request.body {
            count += chunk.count
            for b in chunk { sum &+= UInt64(b) }
        }
        let seen = SeenRequest(method: request.head.method.rawValue, target: request.head.target,
                               headers: request.head.headers.map { [$0.name.rawName, $0.value] },
                               bodyBytes: count, bodySum: sum)
        let json = try JSONEncoder().encode(seen)
        return HTTPServerResponse(status: .ok, headers: [.contentType: "application/json"], body: .bytes(Array(json)))
    }

    func websocket(_ request: HTTPServerRequest, mode: String) -> HTTPServerResponse {
        if mode.hasSuffix("/ws-refuse") {
            return HTTPServerResponse(status: .forbidden, body: .bytes(Array("no".utf8)))
        }
        guard request.head.isUpgrade, let key = request.head.headers[HTTPField.Name("Sec-WebSocket-Key")!] else {
            return HTTPServerResponse(status: .badRequest)
        }
        var headers = HTTPFields()
        headers[.upgrade] = "websocket"
        headers[.connection] = "Upgrade"
        headers[HTTPField.Name("Sec-WebSocket-Accept")!] = WebSocketHandshake.acceptValue(forKey: key)
        let push = mode.hasSuffix("/ws-push")
        return HTTPServerResponse(status: .switchingProtocols, headers: headers, body: .upgrade { stream in
            if push {
                for i in 0..<5 {
                    try await stream.write(WebSocketFrame(opcode: .text, payload: Array("push \(i)".utf8)).encoded(maskingKey: nil))
                    try await Task.sleep(for: .milliseconds(400))
                }
                await stream.close()
                return
            }
            var decoder = WebSocketFrameDecoder(expectMasked: true)
            while let bytes = try await stream.read() {
                decoder.feed(bytes)
                while let frame = try decoder.next() {
                    if frame.opcode == .close {
                        try await stream.write(WebSocketFrame(opcode: .close, payload: frame.payload).encoded(maskingKey: nil))
                        await stream.close()
                        return
                    }
                    try await stream.write(WebSocketFrame(opcode: frame.opcode, payload: frame.payload).encoded(maskingKey: nil))
                }
            }
        })
    }
}
