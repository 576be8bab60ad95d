import Dispatch
import Glibc
@testable import HTTP

/// A blocking loopback server whose behaviour per connection is scripted by the test
/// (e.g. "answer once, then hang up on the next request"), run on a Dispatch thread.
final class ScriptedUpstream: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = PThreadLock()
    private var accepted = 0

    /// `script(connectionIndex, client)` runs for each accepted connection, in order.
    init(connections: Int, script: @escaping @Sendable (Int, RawConnection) -> Void) throws {
        guard let address = SocketAddress.numeric("127.0.0.1", port: 0) else { throw IOError.errno(EINVAL, "address") }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let rc = try address.withSockAddr { bind(listener, $0, $1) }
        guard rc == 0, listen(listener, 16) == 0, let bound = Socket.localAddress(listener) else {
            Glibc.close(listener)
            throw IOError.errno(errno, "listen")
        }
        fd = listener
        port = bound.port
        DispatchQueue.global().async { [self] in
            for index in 0..<connections {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                lock.withLock { accepted += 1 }
                script(index, RawConnection(fd: client))
            }
        }
    }

    var acceptedCount: Int { lock.withLock { accepted } }

    deinit { Glibc.close(fd) }
}

/// One accepted connection in a scripted upstream.
final class RawConnection: @unchecked Sendable {
    let fd: Int32
    init(fd: Int32) {
        self.fd = fd
        var tv = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads until a blank line ends a request head (bodiless requests only); nil at EOF.
    func readRequestHead() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while !bytes.suffix(4).elementsEqual([13, 10, 13, 10]) {
            if recv(fd, &byte, 1, 0) != 1 { return nil }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func close() { Glibc.close(fd) }
}
