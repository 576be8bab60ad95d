import CSystem
import Glibc

/// One TLS connection over a non-blocking fd. Calls never block: they report what the socket
/// must become (readable or writable) before the call can make progress. Loop-confined.
final class TLSSession {
    enum Outcome {
        case done(Int)
        case wantRead
        case wantWrite
        case closed
        case failed(String)
    }

    private let ssl: OpaquePointer

    /// Wraps `fd`; for clients `serverName` sets SNI and, when verifying, the expected host name.
    init(context: TLSContext, fd: Int32, serverName: String? = nil, verifyHost: Bool = false) throws(TLSError) {
        guard let ssl = SSL_new(context.context) else { throw TLSError(TLSContext.lastError("SSL_new")) }
        self.ssl = ssl
        if SSL_set_fd(ssl, fd) != 1 { throw TLSError(TLSContext.lastError("SSL_set_fd")) }
        if context.isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let serverName {
                let isAddress = SocketAddress.numeric(serverName, port: 0) != nil
                if !isAddress { _ = csystem_tls_set_sni(ssl, serverName) }
                if verifyHost {
                    let ok = isAddress ? setExpectedIP(serverName) : SSL_set1_host(ssl, serverName) == 1
                    if !ok { throw TLSError(TLSContext.lastError("expected host \(serverName)")) }
                }
            }
        }
    }

    deinit { SSL_free(ssl) }

    private func setExpectedIP(_ address: String) -> Bool {
        guard let param = SSL_get0_param(ssl) else { return false }
        return X509_VERIFY_PARAM_set1_ip_asc(param, address) == 1
    }

    private func outcome(_ result: Int32, _ doing: String) -> Outcome {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let savedErrno = errno
            let detail = TLSContext.lastError(doing)
            if savedErrno == 0 || IOError.isDisconnect(savedErrno) { return .closed }
            return .failed("\(detail): \(String(cString: strerror(savedErrno)))")
        default:
            return .failed(TLSContext.lastError(doing))
        }
    }

    func handshake() -> Outcome {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done(0) }
        let failure = outcome(result, "handshake")
        if case .failed(let message) = failure {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK, let text = X509_verify_cert_error_string(verify) {
                return .failed("\(message) (\(String(cString: text)))")
            }
        }
        return failure
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        ERR_clear_error()
        let result = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return result > 0 ? .done(Int(result)) : outcome(result, "read")
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> Outcome {
        if buffer.isEmpty { return .done(0) }
        ERR_clear_error()
        let result = SSL_write(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return result > 0 ? .done(Int(result)) : outcome(result, "write")
    }

    /// Sends close_notify without waiting for the peer's (the socket closes right after).
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
    }
}
