import Foundation
import HTTP
import Testing

/// Opens a WebSocket through the proxy; returns the connection after a 101.
private func openWebSocket(port: Int, path: String) throws -> (RawConnection, RawResponse) {
    let connection = try RawConnection(port: port)
    let key = WebSocketHandshake.randomKey()
    try connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(key)\r\n\r\n")
    let response = try connection.readResponse()
    if response.status == 101 {
        #expect(response.header("Sec-WebSocket-Accept") == WebSocketHandshake.acceptValue(forKey: key))
    }
    return (connection, response)
}

private func readFrame(_ connection: RawConnection, _ decoder: inout WebSocketFrameDecoder) throws -> WebSocketFrame {
    while true {
        if let frame = try decoder.next() { return frame }
        let bytes = try connection.readSome()
        if bytes.isEmpty { throw E2EError("closed") }
        decoder.feed(bytes)
    }
}

@Suite("pawshub proxy: WebSockets over sockets")
struct ProxyWebSocketTests {
    @Test("echo through the proxy; client frames bump last_activity")
    func echo() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess()
        try proxy.addRoute("/user/a", #"{"target":"\#(backend.url)"}"#)
        let added = try #require(try proxy.lastActivity("/user/a"))
        try await Task.sleep(for: .milliseconds(1100))
        let (ws, response) = try openWebSocket(port: proxy.publicPort, path: "/user/a/ws")
        #expect(response.status == 101)
        var decoder = WebSocketFrameDecoder(expectMasked: false)
        for i in 0..<20 {
            let payload = Array("message \(i)".utf8)
            try ws.send(WebSocketFrame(opcode: .text, payload: payload).encoded(maskingKey: 0x1234_5678))
            let frame = try readFrame(ws, &decoder)
            #expect(frame.payload == payload)
        }
        let big = [UInt8](repeating: 0x7A, count: 1 << 20)
        try ws.send(WebSocketFrame(opcode: .binary, payload: big).encoded(maskingKey: 0x0BAD_F00D))
        #expect(try readFrame(ws, &decoder).payload == big)
        let after = try #require(try proxy.lastActivity("/user/a"))
        #expect(after > added)
        try ws.send(WebSocketFrame(opcode: .close, payload: [0x03, 0xE8]).encoded(maskingKey: 1))
        #expect(try readFrame(ws, &decoder).opcode == .close)
        // The upstream's close frame and its FIN often arrive in one epoll edge: the proxy must
        // still see the upstream EOF and close the client side (regression: it used to wait forever).
        ws.setReadTimeout(seconds: 3)
        #expect(ws.readsEndOfStream())
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/user/a/plain").status == 200)
        await backend.stop()
    }

    @Test("server-pushed frames to a silent client do not count as activity")
    func pushIsNotActivity() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess()
        try proxy.addRoute("/user/b", #"{"target":"\#(backend.url)"}"#)
        let added = try #require(try proxy.lastActivity("/user/b"))
        try await Task.sleep(for: .milliseconds(1100))
        let (ws, response) = try openWebSocket(port: proxy.publicPort, path: "/user/b/ws-push")
        #expect(response.status == 101)
        var decoder = WebSocketFrameDecoder(expectMasked: false)
        for i in 0..<5 { #expect(try readFrame(ws, &decoder).payload == Array("push \(i)".utf8)) }
        #expect(ws.readsEndOfStream())
        #expect(try proxy.lastActivity("/user/b") == added, "\(proxy.lines.joined(separator: "\n"))")
        await backend.stop()
    }

    @Test("failed upgrades get a bare status and the socket is closed (CHP #557)")
    func failures() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess()
        let (noRoute, r404) = try openWebSocket(port: proxy.publicPort, path: "/nowhere")
        #expect(r404.status == 404 && r404.header("Content-Length") == "0")
        #expect(noRoute.readsEndOfStream())
        try proxy.addRoute("/dead", #"{"target":"http://127.0.0.1:9"}"#)
        let (dead, r503) = try openWebSocket(port: proxy.publicPort, path: "/dead/ws")
        #expect(r503.status == 503)
        #expect(dead.readsEndOfStream())
        try proxy.addRoute("/refuse", #"{"target":"\#(backend.url)"}"#)
        let (refused, r403) = try openWebSocket(port: proxy.publicPort, path: "/refuse/ws-refuse")
        #expect(r403.status == 403)
        #expect(refused.readsEndOfStream())
        await backend.stop()
    }
}
