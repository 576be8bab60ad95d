// Thin Swift wrappers over the OpenSSL shim: every other file in Auth gets its hashes, MACs,
// randomness and constant-time comparisons from here, so there is one place that talks to C.
import CSystem

/// A failure of the underlying crypto library (not of the input): callers treat it as a server error.
public struct CryptoFailure: Error, Equatable, CustomStringConvertible {
    /// Which operation failed.
    public let operation: String
    public var description: String { "crypto operation failed: \(operation)" }
}

enum Crypto {
    /// `count` bytes from OpenSSL's CSPRNG (`RAND_bytes`).
    static func randomBytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { csystem_random_bytes($0.baseAddress, $0.count) }
        guard ok == 1 else { throw CryptoFailure(operation: "RAND_bytes") }
        return out
    }

    /// SHA-512(salt ‖ data × rounds), JupyterHub's token hash.
    static func sha512(salt: [UInt8], data: [UInt8], rounds: UInt32) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        let ok = salt.withUnsafeBufferPointer { s in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    csystem_sha512_salted_rounds(s.baseAddress, s.count, d.baseAddress, d.count, rounds, o.baseAddress)
                }
            }
        }
        guard ok == 1 else { throw CryptoFailure(operation: "SHA-512") }
        return out
    }

    static func sha256(_ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = data.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { csystem_sha256(d.baseAddress, d.count, $0.baseAddress) }
        }
        guard ok == 1 else { throw CryptoFailure(operation: "SHA-256") }
        return out
    }

    static func hmacSHA256(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    csystem_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, o.baseAddress)
                }
            }
        }
        guard ok == 1 else { throw CryptoFailure(operation: "HMAC-SHA256") }
        return out
    }

    /// Constant-time equality; different lengths are unequal (length is not secret here).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in csystem_memeq(x.baseAddress, y.baseAddress, x.count) == 1 }
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    static func seal(key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: [UInt8]) throws -> (cipher: [UInt8], tag: [UInt8]) {
        precondition(key.count == 32 && nonce.count == 12, "AES-256-GCM key/nonce sizes are fixed by the caller")
        var cipher = [UInt8](repeating: 0, count: max(plaintext.count, 1))
        var tag = [UInt8](repeating: 0, count: 16)
        let ok = key.withUnsafeBufferPointer { k in nonce.withUnsafeBufferPointer { n in
            aad.withUnsafeBufferPointer { a in plaintext.withUnsafeBufferPointer { p in
                cipher.withUnsafeMutableBufferPointer { c in tag.withUnsafeMutableBufferPointer { t in
                    csystem_aes256gcm_seal(k.baseAddress, n.baseAddress, a.baseAddress, a.count,
                                           p.baseAddress, p.count, c.baseAddress, t.baseAddress)
                } }
            } }
        } }
        guard ok == 1 else { throw CryptoFailure(operation: "AES-256-GCM seal") }
        return (Array(cipher.prefix(plaintext.count)), tag)
    }

    /// Returns nil when authentication fails (wrong key, tampered data).
    static func open(key: [UInt8], nonce: [UInt8], aad: [UInt8], cipher: [UInt8], tag: [UInt8]) -> [UInt8]? {
        guard key.count == 32, nonce.count == 12, tag.count == 16 else { return nil }
        var plain = [UInt8](repeating: 0, count: max(cipher.count, 1))
        let ok = key.withUnsafeBufferPointer { k in nonce.withUnsafeBufferPointer { n in
            aad.withUnsafeBufferPointer { a in cipher.withUnsafeBufferPointer { c in
                tag.withUnsafeBufferPointer { t in plain.withUnsafeMutableBufferPointer { p in
                    csystem_aes256gcm_open(k.baseAddress, n.baseAddress, a.baseAddress, a.count,
                                           c.baseAddress, c.count, t.baseAddress, p.baseAddress)
                } }
            } }
        } }
        return ok == 1 ? Array(plain.prefix(cipher.count)) : nil
    }

    /// AES-128-CBC with PKCS#7 padding; nil on bad padding (callers authenticate before decrypting).
    static func decryptCBC(key: [UInt8], iv: [UInt8], cipher: [UInt8]) -> [UInt8]? {
        guard key.count == 16, iv.count == 16, !cipher.isEmpty, cipher.count % 16 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: cipher.count + 16)
        var written = 0
        let ok = key.withUnsafeBufferPointer { k in iv.withUnsafeBufferPointer { i in
            cipher.withUnsafeBufferPointer { c in out.withUnsafeMutableBufferPointer { o in
                csystem_aes128cbc_decrypt(k.baseAddress, i.baseAddress, c.baseAddress, c.count, o.baseAddress, &written)
            } }
        } }
        return ok == 1 ? Array(out.prefix(written)) : nil
    }
}
