import CSystem
import Glibc

/// An OpenSSL `SSL_CTX`: immutable after set-up and shared by every connection on every loop
/// (OpenSSL contexts are thread-safe once configured).
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    let isServer: Bool

    private init(server: Bool) throws(TLSError) {
        guard let method = server ? TLS_server_method() : TLS_client_method(),
              let context = SSL_CTX_new(method) else { throw TLSError(TLSContext.lastError("SSL_CTX_new")) }
        self.context = context
        isServer = server
        _ = csystem_tls_ctx_set_min_proto(context, TLS1_2_VERSION)
        csystem_tls_ctx_set_nonblocking_modes(context)
    }

    deinit { SSL_CTX_free(context) }

    /// A server context from PEM certificate chain and key files; fails if they do not match.
    static func server(_ configuration: TLSConfiguration) throws(TLSError) -> TLSContext {
        let tls = try TLSContext(server: true)
        if SSL_CTX_use_certificate_chain_file(tls.context, configuration.certificatePath) != 1 {
            throw TLSError(lastError("certificate \(configuration.certificatePath)"))
        }
        if SSL_CTX_use_PrivateKey_file(tls.context, configuration.privateKeyPath, SSL_FILETYPE_PEM) != 1 {
            throw TLSError(lastError("private key \(configuration.privateKeyPath)"))
        }
        if SSL_CTX_check_private_key(tls.context) != 1 {
            throw TLSError(lastError("private key does not match certificate"))
        }
        return tls
    }

    /// A client context; with `verify`, peers must present a chain trusted by the system CA store.
    static func client(verify: Bool) throws(TLSError) -> TLSContext {
        let tls = try TLSContext(server: false)
        if verify {
            SSL_CTX_set_verify(tls.context, SSL_VERIFY_PEER, nil)
            if SSL_CTX_set_default_verify_paths(tls.context) != 1 {
                throw TLSError(lastError("system CA store"))
            }
        } else {
            SSL_CTX_set_verify(tls.context, SSL_VERIFY_NONE, nil)
        }
        return tls
    }

    /// OpenSSL's queued error text (and clears the queue), prefixed with what we were doing.
    static func lastError(_ doing: String) -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(nulTerminated: buffer))
        }
        return reasons.isEmpty ? doing : "\(doing): \(reasons.joined(separator: "; "))"
    }
}
