import Glibc

/// Why a socket operation failed.
public enum IOError: Error, Sendable, CustomStringConvertible {
    /// A system call failed with this errno.
    case errno(Int32, String)
    /// The operation's deadline passed.
    case timedOut
    /// The socket was closed locally while the operation waited.
    case closed
    /// The peer closed the connection.
    case connectionReset

    public var description: String {
        switch self {
        case .errno(let code, let call): return "\(call): \(String(cString: strerror(code)))"
        case .timedOut: return "timed out"
        case .closed: return "socket closed"
        case .connectionReset: return "connection reset by peer"
        }
    }

    /// errno values that mean "the peer went away" rather than a local fault.
    static func isDisconnect(_ code: Int32) -> Bool {
        code == ECONNRESET || code == EPIPE || code == ENOTCONN || code == ECONNABORTED || code == ETIMEDOUT
    }
}
