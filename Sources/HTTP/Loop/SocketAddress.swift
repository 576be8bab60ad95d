import CSystem
import Glibc

/// An IPv4, IPv6 or Unix-domain socket address.
enum SocketAddress: Sendable, CustomStringConvertible {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)
    case unix(String)

    var family: Int32 {
        switch self {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        case .unix: return AF_UNIX
        }
    }

    /// A numeric address (no DNS): `127.0.0.1`, `::1`, `[::1]`; nil for names.
    static func numeric(_ host: String, port: Int) -> SocketAddress? {
        var host = host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard (0...65535).contains(port) else { return nil }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            return .v4(v4)
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            return .v6(v6)
        }
        return nil
    }

    /// Resolves a host name with getaddrinfo (blocking: call off the loops, or at start-up).
    /// IPv4 results come first, matching what admins expect of `localhost`.
    static func resolve(_ host: String, port: Int, passive: Bool = false) throws(IOError) -> [SocketAddress] {
        if let numeric = numeric(host, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : AI_ADDRCONFIG
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw IOError.errno(EHOSTUNREACH, "resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var v4: [SocketAddress] = [], v6: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                if info.pointee.ai_family == AF_INET {
                    v4.append(.v4(UnsafeRawPointer(address).load(as: sockaddr_in.self)))
                } else if info.pointee.ai_family == AF_INET6 {
                    v6.append(.v6(UnsafeRawPointer(address).load(as: sockaddr_in6.self)))
                }
            }
            cursor = info.pointee.ai_next
        }
        let all = v4 + v6
        if all.isEmpty { throw IOError.errno(EHOSTUNREACH, "resolve \(host): no addresses") }
        return all
    }

    /// Calls `body` with this address as a `sockaddr` pointer and length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) throws -> R {
        switch self {
        case .v4(var address):
            return try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .v6(var address):
            return try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard bytes.count < capacity else { throw IOError.errno(ENAMETOOLONG, "unix socket path") }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            return try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
    }

    /// Reads an address filled in by accept/getsockname.
    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            self = .v4(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) })
        case AF_INET6:
            self = .v6(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) })
        case AF_UNIX:
            self = .unix("")
        default:
            return nil
        }
    }

    var port: Int {
        switch self {
        case .v4(let a): return Int(UInt16(bigEndian: a.sin_port))
        case .v6(let a): return Int(UInt16(bigEndian: a.sin6_port))
        case .unix: return 0
        }
    }

    /// Numeric host text (`127.0.0.1`, `::1`; IPv4-mapped IPv6 shown as IPv4).
    var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch self {
        case .v4(var a):
            inet_ntop(AF_INET, &a.sin_addr, &buffer, socklen_t(buffer.count))
        case .v6(var a):
            let isMapped = withUnsafeBytes(of: &a.sin6_addr) { raw in
                raw.prefix(10).allSatisfy { $0 == 0 } && raw[10] == 0xff && raw[11] == 0xff
            }
            if isMapped {
                var v4 = in_addr()
                withUnsafeBytes(of: &a.sin6_addr) { raw in
                    withUnsafeMutableBytes(of: &v4) { $0.copyBytes(from: raw[12..<16]) }
                }
                inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count))
            } else {
                inet_ntop(AF_INET6, &a.sin6_addr, &buffer, socklen_t(buffer.count))
            }
        case .unix(let path):
            return path
        }
        return String(nulTerminated: buffer)
    }

    var description: String {
        switch self {
        case .v6: return "[\(host)]:\(port)"
        case .unix(let path): return "unix:\(path)"
        default: return "\(host):\(port)"
        }
    }
}
