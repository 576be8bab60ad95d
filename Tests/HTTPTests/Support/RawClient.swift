import Glibc
import HTTPTypes
@testable import HTTP

/// A blocking loopback client for tests: writes exact bytes, reads with a timeout.
final class RawClient: @unchecked Sendable {
    let fd: Int32

    init(port: Int, host: String = "127.0.0.1", timeout: Duration = .seconds(3)) throws {
        guard let address = SocketAddress.numeric(host, port: port) else { throw IOError.errno(EINVAL, "address") }
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        if fd < 0 { throw IOError.errno(errno, "socket") }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = try address.withSockAddr { connect(fd, $0, $1) }
        if rc != 0 { let e = errno; Glibc.close(fd); throw IOError.errno(e, "connect") }
    }

    deinit { Glibc.close(fd) }

    func sendBlocking(_ text: String) throws { try sendBlocking(Array(text.utf8)) }

    func sendBlocking(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 { throw IOError.errno(errno, "send") }
            offset += n
        }
    }

    /// Some bytes; [] at EOF; throws on timeout.
    func readSomeBlocking() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw IOError.errno(errno, "recv") }
        return Array(buffer[0..<n])
    }

    /// True when the server has closed the connection (EOF or reset) within the timeout.
    func isClosedByPeerBlocking() -> Bool {
        while true {
            guard let bytes = try? readSomeBlocking() else { return errno == ECONNRESET }
            if bytes.isEmpty { return true }
        }
    }

    private var parser = ResponseParser()
    private var pendingMethods: [HTTPRequest.Method] = []

    /// Reads one full response (to a request made with `method`).
    func readResponseBlocking(to method: HTTPRequest.Method = .get) throws -> TestResponse {
        parser.expectResponse(toMethod: method)
        var head: ResponseHead?
        var body: [UInt8] = []
        var interim: [ResponseHead] = []
        while true {
            while let event = try parser.next() {
                switch event {
                case .head(let h): head = h
                case .body(let bytes): body += bytes
                case .end:
                    guard let h = head else { throw IOError.errno(EPROTO, "end without head") }
                    if h.status.code == 101 { return TestResponse(head: h, body: body, interim: interim) }
                    if h.status.code < 200 { interim.append(h); head = nil; continue }
                    return TestResponse(head: h, body: body, interim: interim)
                }
            }
            let bytes = try readSomeBlocking()
            if bytes.isEmpty {
                while let event = try parser.finishAtEOF() {
                    switch event {
                    case .head(let h): head = h
                    case .body(let b): body += b
                    case .end:
                        guard let h = head else { throw IOError.errno(EPROTO, "end without head") }
                        return TestResponse(head: h, body: body, interim: interim)
                    }
                }
                throw IOError.connectionReset
            }
            parser.feed(bytes)
        }
    }

    // Async faces: the blocking calls run on a Dispatch thread so tests never pin the cooperative pool.
    func send(_ text: String) async throws { try await offPool { try self.sendBlocking(text) } }
    func send(_ bytes: [UInt8]) async throws { try await offPool { try self.sendBlocking(bytes) } }
    func readSome() async throws -> [UInt8] { try await offPool { try self.readSomeBlocking() } }
    func isClosedByPeer() async -> Bool { (try? await offPool { self.isClosedByPeerBlocking() }) ?? false }
    func readResponse(to method: HTTPRequest.Method = .get) async throws -> TestResponse {
        try await offPool { try self.readResponseBlocking(to: method) }
    }

    /// Bytes the response parser holds past the last response (upgrade tests).
    func takeBuffered() -> [UInt8] { parser.takeBufferedBytes() }
}

struct TestResponse {
    var head: ResponseHead
    var body: [UInt8]
    var interim: [ResponseHead]
    var status: Int { head.status.code }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return head.headers[field]
    }
}
