import Testing
@testable import Auth

@Suite("Tokens")
struct TokenTests {
    // Vectors computed with Python's hashlib exactly as JupyterHub's utils.hash_token does:
    // sha512(salt ascii, then token utf-8 repeated `rounds` times).
    static let vectors: [(token: String, stored: String)] = [
        ("0123456789abcdef0123456789abcdef",
         "sha512:1:a1b2c3d4e5f60718:db3730979813fe74aeddb6348bc06b47cc99c6868ad055a76ff914acb8e7134acff0b7070f169c6b346e7bd361b6342082621f41a06185b60b4a4189d4709e09"),
        ("operator-secret-token",
         "sha512:16384:00ff00ff00ff00ff:041d6917cb34ff295ff10a0c19400ba18f3ce9f1af46acb25efcf21dddc9a291a904024c679e8066f9a017c5eae40bdd253015d11030b1c0f633f84cd88b2c06"),
        ("späß",
         "sha512:3:1234567890abcdef:52c018aa71eb8f19c473fbaf13d5602c7ac4dbab55a29337b0c2b6a4247c2aa17718b0242fea2137b702037d7d091a31c4858f37243450dadac144aedeaf2efd"),
    ]

    @Test("hashes match JupyterHub's format byte for byte")
    func hashVectors() throws {
        for (token, stored) in Self.vectors {
            let parsed = try TokenHash(parsing: stored)
            let recomputed = try TokenHash(hashing: token, salt: parsed.salt, rounds: parsed.rounds)
            #expect(recomputed.description == stored)
            #expect(parsed.matches(token))
            #expect(!parsed.matches(token + "x"))
        }
    }

    @Test("generated tokens hash with 1 round, operator tokens with 16384, each with a 16-hex salt")
    func rounds() throws {
        let generated = try TokenHash(hashing: "abc", origin: .generated)
        let supplied = try TokenHash(hashing: "abc", origin: .operatorSupplied)
        #expect(generated.rounds == 1)
        #expect(supplied.rounds == 16384)
        for h in [generated, supplied] {
            #expect(h.salt.count == 16 && Hex.decode(h.salt) != nil)
            #expect(h.matches("abc"))
        }
        #expect(generated.salt != supplied.salt)
    }

    @Test("malformed stored hashes are rejected, not crashed on", arguments: [
        "", "sha512:1:salt", "md5:1:abcd:" + String(repeating: "0", count: 128), "sha512:x:abcd:" + String(repeating: "0", count: 128),
        "sha512:1:abcd:zz", "sha512:-1:abcd:" + String(repeating: "0", count: 128),
        "sha512:99999999:abcd:" + String(repeating: "0", count: 128),
    ])
    func malformed(stored: String) {
        #expect(throws: TokenError.malformedHash) { try TokenHash(parsing: stored) }
    }

    @Test("generated credentials have JupyterHub's shapes")
    func shapes() throws {
        let hex = try TokenGenerator.hexToken()
        #expect(hex.count == 32 && hex.allSatisfy { "0123456789abcdef".contains($0) })
        let oauth = try TokenGenerator.oauthToken()
        #expect(oauth.count == 30 && oauth.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        let share = try TokenGenerator.shareCode()
        #expect(share.count == 43 && share.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(try TokenGenerator.hexToken() != hex)
        #expect(try TokenGenerator.oauthToken() != oauth)
    }

    @Test("length rules: > 64 rejected before hashing, operator tokens at least 8")
    func lengths() throws {
        #expect(throws: TokenError.tooLong(length: 65)) { try TokenRules.checkPresented(String(repeating: "a", count: 65)) }
        try TokenRules.checkPresented(String(repeating: "a", count: 64))
        #expect(throws: TokenError.tooShort(length: 7, minimum: 8)) { try TokenRules.checkOperatorSupplied("1234567") }
        try TokenRules.checkOperatorSupplied("12345678")
        #expect(TokenRules.prefix(of: "abcdef") == "abcd")
        #expect(TokenRules.prefix(of: "ab") == "ab")
        let long = String(repeating: "a", count: 65)
        #expect(!(try TokenHash(hashing: long, salt: "0011223344556677", rounds: 1)).matches(long))
    }

    @Test("token and share-code ids round-trip and reject junk")
    func ids() throws {
        #expect(try APITokenID(parsing: "a12").rowID == 12)
        #expect(APITokenID(rowID: 2).description == "a2")
        #expect(try ShareCodeID(parsing: "sc_7").rowID == 7)
        for bad in ["12", "a", "a-1", "a01", "ab", "a1x", "a99999999999999999999"] {
            #expect(throws: TokenError.self) { try APITokenID(parsing: bad) }
        }
        #expect(throws: TokenError.self) { try ShareCodeID(parsing: "sc_") }
    }

    @Test("Authorization header: token or bearer, any case; nothing else")
    func header() {
        #expect(AuthorizationHeader.token(from: "token abc123") == "abc123")
        #expect(AuthorizationHeader.token(from: "Bearer abc123") == "abc123")
        #expect(AuthorizationHeader.token(from: "TOKEN  abc123 ") == "abc123")
        #expect(AuthorizationHeader.token(from: "Basic dXNlcjpwYXNz") == nil)
        #expect(AuthorizationHeader.token(from: "token") == nil)
        #expect(AuthorizationHeader.token(from: "token a b") == nil)
        #expect(AuthorizationHeader.token(from: "") == nil)
        #expect(AuthorizationHeader.token(from: "\ttoken\tabc\t ") == "abc")
        #expect(AuthorizationHeader.token(from: "token ") == nil)
        #expect(AuthorizationHeader.token(from: "tokenx abc") == nil)
        #expect(AuthorizationHeader.token(from: " bearer \t x") == "x")
        #expect(AuthorizationHeader.token(from: "bearerr x") == nil)
    }
}
