import CSystem
import Glibc

/// Creating and configuring raw sockets (listeners and outgoing connections).
enum Socket {
    /// A non-blocking, close-on-exec stream socket.
    static func make(family: Int32) throws(IOError) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw .errno(errno, "socket") }
        return fd
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Small writes leave at once: a response head and body must not wait for a delayed ACK.
    static func setNoDelay(_ fd: Int32) { setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1) }

    /// A listening socket bound to `address`; `reusePort` lets one listener per loop share a port.
    static func listen(on address: SocketAddress, backlog: Int, reusePort: Bool) throws -> Int32 {
        let fd = try make(family: address.family)
        do {
            if address.family != AF_UNIX {
                setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
                if reusePort { setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            }
            if case .v6 = address {
                // "::" serves IPv4 too (dual stack), whatever the system default.
                setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
            }
            if case .unix(let path) = address { unlink(path) }
            let rc = try address.withSockAddr { bind(fd, $0, $1) }
            if rc != 0 { throw IOError.errno(errno, "bind \(address)") }
            if Glibc.listen(fd, Int32(clamping: backlog)) != 0 { throw IOError.errno(errno, "listen \(address)") }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// The address a socket is bound to (to learn the port after binding port 0).
    static func localAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return rc == 0 ? SocketAddress(storage: storage) : nil
    }

    /// Starts a non-blocking connect; true when already connected, false when in progress.
    static func startConnect(_ fd: Int32, to address: SocketAddress) throws -> Bool {
        let rc = try address.withSockAddr { connect(fd, $0, $1) }
        if rc == 0 { return true }
        let code = errno
        if code == EINPROGRESS || code == EAGAIN || code == EINTR { return false }
        throw IOError.errno(code, "connect \(address)")
    }

    /// The pending error of a socket after a non-blocking connect (0 when connected).
    static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0 { return errno }
        return value
    }
}
