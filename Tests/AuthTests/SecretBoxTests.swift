import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Auth

@Suite("SecretBox (auth_state at rest)")
struct SecretBoxTests {
    let keyA = [UInt8](repeating: 0xA1, count: 32)
    let keyB = [UInt8](repeating: 0xB2, count: 32)

    @Test("round-trips, with a fresh nonce every time")
    func roundTrip() throws {
        let box = try SecretBox(keys: [keyA])
        let plain = Array(#"{"access_token": "s3cret"}"#.utf8)
        let one = try box.seal(plain)
        let two = try box.seal(plain)
        #expect(one != two)
        #expect(try box.open(one) == plain)
        #expect(try box.open(try box.seal([])) == [])
        #expect(one.first == 1)
        #expect(one.count == 1 + 12 + plain.count + 16)
    }

    @Test("any tampering is detected")
    func tamper() throws {
        let box = try SecretBox(keys: [keyA])
        let sealed = try box.seal(Array("auth state".utf8))
        for i in 1..<sealed.count {
            var copy = sealed
            copy[i] ^= 0x01
            #expect(throws: SecretBoxError.authenticationFailed) { try box.open(copy) }
        }
        var wrongVersion = sealed
        wrongVersion[0] = 2
        #expect(throws: SecretBoxError.unsupportedVersion(2)) { try box.open(wrongVersion) }
        #expect(throws: SecretBoxError.truncated) { try box.open(Array(sealed.prefix(20))) }
        #expect(throws: SecretBoxError.truncated) { try box.open([]) }
    }

    @Test("key rotation: the first key encrypts, every key decrypts, a removed key no longer does")
    func rotation() throws {
        let old = try SecretBox(keys: [keyA])
        let sealedOld = try old.seal(Array("old".utf8))
        let rotated = try SecretBox(keys: [keyB, keyA])
        #expect(try rotated.open(sealedOld) == Array("old".utf8))
        let sealedNew = try rotated.seal(Array("new".utf8))
        #expect(throws: SecretBoxError.authenticationFailed) { try old.open(sealedNew) }
        #expect(try SecretBox(keys: [keyB]).open(sealedNew) == Array("new".utf8))
        #expect(throws: SecretBoxError.authenticationFailed) { try SecretBox(keys: [keyB]).open(sealedOld) }
    }

    @Test("JUPYTERHUB_CRYPT_KEY accepts hex and base64 keys separated by ';'")
    func environment() throws {
        let hex = String(repeating: "a1", count: 32)
        let b64 = Base64.encode(keyB, alphabet: .urlSafe)
        let box = try SecretBox(environmentValue: "\(b64);\(hex); ")
        let sealed = try SecretBox(keys: [keyA]).seal(Array("x".utf8))
        #expect(try box.open(sealed) == Array("x".utf8))
        #expect(try SecretBox.fromEnvironment(nil) == nil)
        #expect(try SecretBox.fromEnvironment("  ") == nil)
        #expect(throws: SecretBoxError.badKey(index: 1)) { try SecretBox(environmentValue: "\(hex);short") }
        #expect(throws: SecretBoxError.badKey(index: 0)) { try SecretBox(environmentValue: String(repeating: "zz", count: 32)) }
        #expect(throws: SecretBoxError.noKeys) { try SecretBox(keys: []) }
    }
}

@Suite("SecretBox reads JupyterHub's Fernet auth_state")
struct LegacyFernetTests {
    // Made with Python's cryptography 48: Fernet(key)._encrypt_from_parts(data, 1764000000, iv=bytes(range(16))).
    let token = Array("gAAAAABpJIEAAAECAwQFBgcICQoLDA0OD2NBxvlxLtJlPvkubsmddmEX54UVK3FmdLMh1bnDzlUVYYwguiwutsOWHQxeywDMphEu13zUyKOvcB5wvOPJM9c=".utf8)
    let key = (0..<32).map { UInt8($0) }

    @Test("a value JupyterHub encrypted decrypts with the same JUPYTERHUB_CRYPT_KEY")
    func decrypts() throws {
        let box = try SecretBox(environmentValue: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
        #expect(try box.open(token) == Array(#"{"access_token": "abc"}"#.utf8))
        let rotated = try SecretBox(keys: [[UInt8](repeating: 3, count: 32), key])
        #expect(try rotated.open(token) == Array(#"{"access_token": "abc"}"#.utf8))
    }

    @Test("a tampered or foreign-key Fernet value is refused")
    func refuses() throws {
        var tampered = token
        tampered[60] = tampered[60] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: SecretBoxError.authenticationFailed) { try SecretBox(keys: [key]).open(tampered) }
        #expect(throws: SecretBoxError.authenticationFailed) { try SecretBox(keys: [[UInt8](repeating: 3, count: 32)]).open(token) }
    }
}

@Suite("Cookie secret file")
struct CookieSecretFileTests {
    func tempPath() -> String {
        var template = Array("/tmp/pawshub-cookie-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        return (dir.map { String(cString: $0) } ?? "/tmp") + "/cookie_secret"
    }

    @Test("created with 64 hex characters and mode 0600, then loaded back")
    func create() throws {
        let path = tempPath()
        let made = try CookieSecret.loadOrCreate(path: path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(made.bytes.count == 32)
        let again = try CookieSecret.loadOrCreate(path: path)
        #expect(again.bytes == made.bytes)
        unlink(path)
    }

    @Test("a world-readable secret file is refused")
    func worldReadable() throws {
        let path = tempPath()
        _ = try CookieSecret.loadOrCreate(path: path)
        chmod(path, 0o644)
        #expect(throws: CookieSecretError.self) { try CookieSecret.loadOrCreate(path: path) }
        unlink(path)
    }

    @Test("a non-hex secret file is refused with a hint")
    func notHex() throws {
        let path = tempPath()
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        let text = Array("bm90IGhleA==\n".utf8)
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let error = #expect(throws: CookieSecretError.self) { try CookieSecret.loadOrCreate(path: path) }
        #expect(error?.description.contains("openssl rand -hex 32") == true)
        unlink(path)
    }
}
