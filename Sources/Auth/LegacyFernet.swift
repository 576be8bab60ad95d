// Read-only support for JupyterHub's Fernet-encrypted `auth_state`, so a database migrated from
// JupyterHub keeps users' stored OAuth credentials readable with the same JUPYTERHUB_CRYPT_KEY.
// New values are always written as SecretBox v1 (AES-GCM); Fernet is only ever decrypted.
//
// Fernet token (url-safe base64): 0x80 ‖ 8-byte big-endian time ‖ 16-byte IV ‖ AES-128-CBC
// ciphertext ‖ HMAC-SHA256 over all of that. A 32-byte key is signing key (first 16) ‖ AES key.

enum LegacyFernet {
    /// True when `box` looks like a Fernet token (base64 text starting with the 0x80 version byte).
    static func looksLikeFernet(_ box: [UInt8]) -> Bool {
        box.starts(with: Array("gAAAAA".utf8))
    }

    /// Decrypts a Fernet token with `key`, or nil if it does not authenticate under that key.
    static func decrypt(_ box: [UInt8], key: [UInt8]) -> [UInt8]? {
        guard key.count == 32,
              let raw = Base64.decode(String(decoding: box, as: UTF8.self), alphabet: .urlSafe),
              raw.count >= 1 + 8 + 16 + 16 + 32, raw[0] == 0x80
        else { return nil }
        let signed = Array(raw[..<(raw.count - 32)])
        let mac = Array(raw[(raw.count - 32)...])
        guard let expected = try? Crypto.hmacSHA256(key: Array(key[..<16]), data: signed),
              Crypto.constantTimeEqual(expected, mac) else { return nil }
        let iv = Array(signed[9..<25])
        let cipher = Array(signed[25...])
        return Crypto.decryptCBC(key: Array(key[16...]), iv: iv, cipher: cipher)
    }
}
