/// Certificate and key for a TLS listener (`--ssl-cert` / `--ssl-key`), both PEM files.
public struct TLSConfiguration: Sendable, Hashable {
    /// PEM certificate chain, leaf first.
    public var certificatePath: String
    /// PEM private key matching the certificate.
    public var privateKeyPath: String

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}

/// A TLS failure, with OpenSSL's reason text.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "TLS: \(message)" }
}
