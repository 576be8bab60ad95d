import Testing
@testable import Auth

// Vectors made with tornado 6.6.1: create_signed_value(secret, name, value, version=2, clock=lambda: 1764000000).
private let secretHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
private let t0 = 1_764_000_000
private let tornadoLogin = "2|1:0|10:1764000000|20:jupyterhub-hub-login|44:NmYxYzBhMGUyYjdkNGU1ZjlhOGI3YzZkNWU0ZjNhMmI=|9f76aeec72160da7d448744cb545561afb9ef9a2b383e70a6cab0db01efd83aa"
private let tornadoXSRF = "MnwxOjB8MTA6MTc2NDAwMDAwMHw1Ol94c3JmfDI0OmMyVnpjekV5TXpwamIyOXJhV1UwTlRZPXw0Njc5YjY2NzhkNjVlMDE3N2FiNDhlYjVjMjAwN2ZiNWRkZjU4ZDllY2RmNTVmZGJkNTdjNWY4OGM1YTU1ZTVl"

private func secret() throws -> CookieSecret { try CookieSecret(hex: secretHex, source: "test") }

@Suite("Signed values (Tornado v2)")
struct SignedValueTests {
    @Test("creates exactly what tornado creates")
    func matchesTornado() throws {
        let made = try SignedValue.create(name: "jupyterhub-hub-login", value: Array("6f1c0a0e2b7d4e5f9a8b7c6d5e4f3a2b".utf8),
                                          secret: secret(), now: t0)
        #expect(made == tornadoLogin)
    }

    @Test("decodes tornado's value within max age, refuses it after")
    func decodeAge() throws {
        let value = try SignedValue.decode(tornadoLogin, name: "jupyterhub-hub-login", secret: secret(), maxAgeDays: 14, now: t0 + 13 * 86400)
        #expect(String(decoding: value, as: UTF8.self) == "6f1c0a0e2b7d4e5f9a8b7c6d5e4f3a2b")
        #expect(throws: SignedValueError.expired) {
            try SignedValue.decode(tornadoLogin, name: "jupyterhub-hub-login", secret: secret(), maxAgeDays: 14, now: t0 + 15 * 86400)
        }
    }

    @Test("refuses a wrong name, another secret, and any tampering")
    func rejections() throws {
        let s = try secret()
        #expect(throws: SignedValueError.wrongName) {
            try SignedValue.decode(tornadoLogin, name: "_xsrf", secret: s, maxAgeDays: 14, now: t0)
        }
        let other = try CookieSecret(bytes: [UInt8](repeating: 7, count: 32))
        #expect(throws: SignedValueError.badSignature) {
            try SignedValue.decode(tornadoLogin, name: "jupyterhub-hub-login", secret: other, maxAgeDays: 14, now: t0)
        }
        // Flip each byte of the value in turn: every change must be refused.
        var bytes = Array(tornadoLogin.utf8)
        for i in bytes.indices {
            let original = bytes[i]
            bytes[i] = original == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            #expect(throws: SignedValueError.self) {
                try SignedValue.decode(String(decoding: bytes, as: UTF8.self), name: "jupyterhub-hub-login",
                                       secret: s, maxAgeDays: 14, now: t0)
            }
            bytes[i] = original
        }
        for junk in ["", "2|", "1|abc", "2|1:0|", "2|99999999999999999999:0|", "2|1:0|10:1764000000|20:jupyterhub-hub-login|3:abc"] {
            #expect(throws: SignedValueError.self) {
                try SignedValue.decode(junk, name: "jupyterhub-hub-login", secret: s, maxAgeDays: 14, now: t0)
            }
        }
    }

    @Test("round-trips arbitrary bytes")
    func roundTrip() throws {
        let value: [UInt8] = [0, 255, 10, 124, 58]
        let made = try SignedValue.create(name: "n", value: value, secret: secret())
        #expect(try SignedValue.decode(made, name: "n", secret: secret(), maxAgeDays: 1) == value)
    }

    @Test("a cookie secret shorter than 32 bytes or not hex is refused")
    func secretRules() {
        #expect(throws: CookieSecretError.tooShort(bytes: 16)) { try CookieSecret(bytes: [UInt8](repeating: 1, count: 16)) }
        #expect(throws: CookieSecretError.notHex(path: "f")) { try CookieSecret(hex: "not hex", source: "f") }
    }
}

@Suite("XSRF")
struct XSRFTests {
    @Test("token format matches JupyterHub's (url-safe base64 of a signed '_xsrf' value, unpadded)")
    func matchesJupyterHub() throws {
        #expect(try XSRF.createToken(id: "sess123:cookie456", secret: secret(), now: t0) == tornadoXSRF)
        #expect(XSRF.tokenID(in: tornadoXSRF, secret: try secret(), now: t0) == "sess123:cookie456")
        #expect(XSRF.tokenID(in: tornadoXSRF, secret: try secret(), now: t0 + 32 * 86400) == nil)
    }

    @Test("the anonymous id hashes client IP and User-Agent like JupyterHub")
    func anonymousID() throws {
        #expect(try XSRF.anonymousID(clientIP: "203.0.113.9", identifyingHeaders: ["Mozilla/5.0 (X11)"])
            == "w5Vb6WYgJu8dJJz4o6DJEbzOGaMULgzMhmAZsPbzxF0=")
        #expect(try XSRF.anonymousTokenID(sessionID: nil, clientIP: "203.0.113.9", identifyingHeaders: ["Mozilla/5.0 (X11)"])
            == ":w5Vb6WYgJu8dJJz4o6DJEbzOGaMULgzMhmAZsPbzxF0=")
        #expect(XSRF.tokenID(sessionID: "s", cookieID: "c") == "s:c")
    }

    @Test("a submitted token equal to a valid cookie for this login passes")
    func passes() throws {
        let s = try secret()
        let id = XSRF.tokenID(sessionID: "sess", cookieID: "cookie")
        let token = try XSRF.createToken(id: id, secret: s)
        #expect((try? XSRF.check(method: "POST", submitted: token, cookie: token, expectedID: id, secret: s).get()) != nil)
    }

    @Test("missing, mismatched, wrong-session, expired and forged tokens fail")
    func failures() throws {
        let s = try secret()
        let id = XSRF.tokenID(sessionID: "sess", cookieID: "cookie")
        let token = try XSRF.createToken(id: id, secret: s, now: t0)
        func result(_ submitted: String?, _ cookie: String?, id expected: String = id, now: Int = t0) -> XSRFFailure? {
            if case .failure(let f) = XSRF.check(method: "post", submitted: submitted, cookie: cookie, expectedID: expected, secret: s, now: now) {
                return f
            }
            return nil
        }
        #expect(result(nil, token) == .missing(method: "post"))
        #expect(result(nil, token)?.message == "'_xsrf' argument missing from POST")
        #expect(result("", token) == .missing(method: "post"))
        #expect(result(token, nil) == .mismatch(method: "post"))
        let other = try XSRF.createToken(id: id, secret: s, now: t0 + 1)
        #expect(result(other, token) == .mismatch(method: "post"))
        #expect(result(token, token, id: "other-session:cookie") == .mismatch(method: "post"))
        #expect(result(token, token, now: t0 + 32 * 86400) == .mismatch(method: "post"))
        let forged = try XSRF.createToken(id: id, secret: CookieSecret(bytes: [UInt8](repeating: 9, count: 32)), now: t0)
        #expect(result(forged, forged) == .mismatch(method: "post"))
        #expect(result(token, token) == nil)
    }

    @Test("which requests need an XSRF token", arguments: [
        ("POST", nil, nil, true, true), ("DELETE", "cors", nil, true, true), ("PATCH", "navigate", nil, true, true),
        ("GET", nil, nil, true, false), ("GET", "navigate", nil, true, false), ("HEAD", "navigate", nil, true, false),
        ("GET", "cors", nil, true, true), ("GET", "websocket", nil, true, false), ("POST", "websocket", nil, true, false),
        ("GET", "no-cors", "same-origin", true, false), ("GET", "no-cors", "cross-site", true, true),
        ("POST", "cors", nil, false, false), ("GET", "same-origin", nil, true, true),
    ] as [(String, String?, String?, Bool, Bool)])
    func requires(method: String, mode: String?, site: String?, cookie: Bool, want: Bool) {
        #expect(XSRF.requiresXSRF(method: method, secFetchMode: mode, secFetchSite: site, isCookieAuth: cookie) == want)
    }

    @Test("token sources in order: argument, X-XSRFToken, X-CSRFToken")
    func sources() {
        #expect(XSRF.submittedToken(argument: "a", xsrfHeader: "b", csrfHeader: "c") == "a")
        #expect(XSRF.submittedToken(argument: "", xsrfHeader: "b", csrfHeader: "c") == "b")
        #expect(XSRF.submittedToken(argument: nil, xsrfHeader: nil, csrfHeader: "c") == "c")
        #expect(XSRF.submittedToken(argument: nil, xsrfHeader: nil, csrfHeader: nil) == nil)
        #expect(XSRF.mayIssueCookie(secFetchMode: nil) && XSRF.mayIssueCookie(secFetchMode: "navigate"))
        #expect(!XSRF.mayIssueCookie(secFetchMode: "cors"))
    }
}
