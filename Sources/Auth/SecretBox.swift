// Encryption of `auth_state` at rest (AES-256-GCM). Keys come from `JUPYTERHUB_CRYPT_KEY` as in
// JupyterHub: one or more `;`-separated 32-byte keys, base64 or hex. The first key encrypts and
// every key is tried to decrypt, so an operator rotates by prepending a new key and re-saving.
//
// Box format (version 1): 0x01 ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag, with the version
// byte as associated data so it cannot be swapped. Values JupyterHub wrote (Fernet) are still
// readable with the same keys (see LegacyFernet), so a migrated database keeps its auth_state.

/// Why encryption keys or a box were refused.
public enum SecretBoxError: Error, Equatable, Sendable, CustomStringConvertible {
    case noKeys
    case badKey(index: Int)
    case unsupportedVersion(UInt8)
    case truncated
    case authenticationFailed

    public var description: String {
        switch self {
        case .noKeys: return "JUPYTERHUB_CRYPT_KEY holds no keys"
        case .badKey(let i): return "JUPYTERHUB_CRYPT_KEY key #\(i + 1) must be 32 bytes, hex (64 chars) or base64 (44 chars) encoded"
        case .unsupportedVersion(let v): return "encrypted value has unknown format version \(v)"
        case .truncated: return "encrypted value is too short"
        case .authenticationFailed: return "encrypted value could not be decrypted with any configured key (wrong key or tampered data)"
        }
    }
}

/// Authenticated encryption with a list of keys: the first encrypts, all decrypt.
public struct SecretBox: Sendable {
    static let version: UInt8 = 1
    static let nonceLength = 12
    static let tagLength = 16

    private let keys: [[UInt8]]

    /// Uses raw 32-byte keys, newest first.
    public init(keys: [[UInt8]]) throws(SecretBoxError) {
        guard !keys.isEmpty else { throw .noKeys }
        for (i, key) in keys.enumerated() where key.count != 32 { throw .badKey(index: i) }
        self.keys = keys
    }

    /// Parses a `JUPYTERHUB_CRYPT_KEY` value: `;`-separated keys, blanks ignored.
    public init(environmentValue: String) throws(SecretBoxError) {
        var keys: [[UInt8]] = []
        for (i, part) in environmentValue.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let text = part.trimmingWhitespace()
            if text.isEmpty { continue }
            guard let key = SecretBox.decodeKey(String(text)) else { throw .badKey(index: i) }
            keys.append(key)
        }
        try self.init(keys: keys)
    }

    /// The box for `JUPYTERHUB_CRYPT_KEY`, or nil when it is unset or blank (encryption unavailable).
    public static func fromEnvironment(_ value: String?) throws(SecretBoxError) -> SecretBox? {
        guard let value, !value.allSatisfy({ $0.isWhitespace || $0 == ";" }) else { return nil }
        return try SecretBox(environmentValue: value)
    }

    /// 44-char base64 (url-safe or standard), 64-char hex, or 32 raw characters — JupyterHub's accepted forms.
    static func decodeKey(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        switch utf8.count {
        case 44:
            let key = Base64.decode(text, alphabet: .urlSafe) ?? Base64.decode(text, alphabet: .standard)
            return key?.count == 32 ? key : nil
        case 64:
            return Hex.decode(text)
        case 32:
            return utf8
        default:
            return nil
        }
    }

    /// Encrypts `plaintext` with the first key and a fresh random nonce.
    public func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        let nonce = try Crypto.randomBytes(SecretBox.nonceLength)
        let aad = [SecretBox.version]
        let (cipher, tag) = try Crypto.seal(key: keys[0], nonce: nonce, aad: aad, plaintext: plaintext)
        return aad + nonce + cipher + tag
    }

    /// Decrypts a box made by `seal` (or a JupyterHub Fernet value) with any configured key; any change is detected.
    public func open(_ box: [UInt8]) throws(SecretBoxError) -> [UInt8] {
        if LegacyFernet.looksLikeFernet(box) {
            for key in keys {
                if let plain = LegacyFernet.decrypt(box, key: key) { return plain }
            }
            throw .authenticationFailed
        }
        guard let version = box.first else { throw .truncated }
        guard version == SecretBox.version else { throw .unsupportedVersion(version) }
        guard box.count >= 1 + SecretBox.nonceLength + SecretBox.tagLength else { throw .truncated }
        let nonce = Array(box[1..<(1 + SecretBox.nonceLength)])
        let cipher = Array(box[(1 + SecretBox.nonceLength)..<(box.count - SecretBox.tagLength)])
        let tag = Array(box[(box.count - SecretBox.tagLength)...])
        for key in keys {
            if let plain = Crypto.open(key: key, nonce: nonce, aad: [version], cipher: cipher, tag: tag) { return plain }
        }
        throw .authenticationFailed
    }
}
