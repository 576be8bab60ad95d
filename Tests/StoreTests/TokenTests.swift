import Foundation
import Testing
@testable import Store

@Suite("Tokens and OAuth")
struct TokenTests {
    @Test("prefix lookup returns unexpired candidates only")
    func prefixLookup() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let now = Timestamp.now()
        let live = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "sha512:1:s:1", owner: .user(alice.id),
                                                            scopes: ["inherit"], note: "Requested via api", expiresAt: now.adding(seconds: 60)))
        let forever = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "sha512:1:s:2", owner: .user(alice.id), scopes: []))
        _ = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "sha512:1:s:3", owner: .user(alice.id), scopes: [],
                                                     expiresAt: now.adding(seconds: -1)))
        _ = try await store.createToken(NewAPIToken(prefix: "wxyz", hashed: "sha512:1:s:4", owner: .user(alice.id), scopes: []))
        #expect(try await store.tokens(withPrefix: "abcd", now: now).map(\.id) == [live.id, forever.id])
        #expect(try await store.tokens(withPrefix: "abcd", now: now.adding(seconds: 61)).map(\.id) == [forever.id])
        #expect(try await store.tokens(withPrefix: "nope", now: now).isEmpty)
        #expect(live.clientID == "jupyterhub" && live.scopes == ["inherit"] && live.note == "Requested via api")
        #expect(live.owner == .user(alice.id))
        #expect(try await store.tokens(of: .user(alice.id), now: now).count == 3)
        #expect(try await store.deleteExpiredTokens(now: now) == 1)
        #expect(try await store.token(id: live.id) == live)
    }

    @Test("tokens need an existing owner and client, a 4-character prefix and a unique hash")
    func invalidTokens() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        await #expect(throws: StoreError.invalidReference("token with prefix abcd")) {
            _ = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "h", owner: .user(UserID(77)), scopes: []))
        }
        await #expect(throws: StoreError.invalidReference("token with prefix abcd")) {
            _ = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "h", owner: .user(alice.id), clientID: "nobody", scopes: []))
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.createToken(NewAPIToken(prefix: "abc", hashed: "h", owner: .user(alice.id), scopes: []))
        }
        _ = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "h", owner: .user(alice.id), scopes: []))
        await #expect(throws: StoreError.alreadyExists(.token, "with prefix abcd")) {
            _ = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "h", owner: .user(alice.id), scopes: []))
        }
    }

    @Test("tokens are revoked by id, by session, by client, and with their OAuth client")
    func revocation() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let culler = try await store.saveService(name: "culler", admin: false)
        try await store.saveOAuthClient(identifier: "jupyterhub-user-alice", description: "Server at /user/alice/",
                                        secretHash: "sha512:16384:salt:hex", redirectURI: "/user/alice/oauth_callback")
        let plain = try await store.createToken(NewAPIToken(prefix: "p000", hashed: "p", owner: .user(alice.id), scopes: []))
        _ = try await store.createToken(NewAPIToken(prefix: "o000", hashed: "o1", owner: .user(alice.id), clientID: "jupyterhub-user-alice",
                                                     scopes: [], sessionID: "s1"))
        _ = try await store.createToken(NewAPIToken(prefix: "o000", hashed: "o2", owner: .user(alice.id), clientID: "jupyterhub-user-alice",
                                                     scopes: [], sessionID: "s2"))
        let service = try await store.createToken(NewAPIToken(prefix: "svc0", hashed: "s", owner: .service(culler.id), scopes: []))
        #expect(service.owner == .service(culler.id))

        #expect(try await store.deleteTokens(sessionID: "s1") == 1)
        try await store.deleteOAuthClient(identifier: "jupyterhub-user-alice")
        #expect(try await store.tokens(of: .user(alice.id)).map(\.id) == [plain.id])
        #expect(try await store.deleteTokens(of: .user(alice.id), clientID: "jupyterhub") == 1)
        try await store.deleteToken(id: service.id)
        await #expect(throws: StoreError.notFound(.token, "a\(service.id)")) { try await store.deleteToken(id: service.id) }
        await #expect(throws: StoreError.self) { try await store.deleteOAuthClient(identifier: "jupyterhub") }
        await #expect(throws: StoreError.notFound(.oauthClient, "gone")) { try await store.deleteOAuthClient(identifier: "gone") }
    }

    @Test("token activity moves forward only")
    func activity() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let token = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "h", owner: .user(alice.id), scopes: []))
        let t = Timestamp(microsecondsSinceEpoch: 5_000_000)
        #expect(try await store.bumpTokenActivity([token.id: t]) == 1)
        #expect(try await store.bumpTokenActivity([token.id: Timestamp(microsecondsSinceEpoch: 4_000_000)]) == 0)
        #expect(try await store.token(id: token.id)?.lastActivity == t)
    }

    @Test("OAuth clients upsert by identifier; codes are found by prefix until they expire and are single-use")
    func oauth() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let first = try await store.saveOAuthClient(identifier: "svc", description: "one", secretHash: "a", redirectURI: "/a",
                                                    allowedScopes: ["read:users"])
        let second = try await store.saveOAuthClient(identifier: "svc", description: "two", secretHash: "b", redirectURI: "/b")
        #expect(first.id == second.id && second.description == "two" && second.allowedScopes.isEmpty)
        #expect(try await store.oauthClient(identifier: "svc")?.redirectURI == "/b")
        #expect(try await store.oauthClients().map(\.identifier) == ["jupyterhub", "svc"])

        let now = Timestamp.now()
        let code = try await store.createOAuthCode(NewOAuthCode(prefix: "abcd", hashed: "c", clientID: "svc", userID: alice.id,
                                                                 redirectURI: "/b", scopes: ["access:servers!server=alice/"],
                                                                 sessionID: "s", codeChallenge: "xyz", codeChallengeMethod: "S256",
                                                                 expiresAt: now.adding(seconds: 300)))
        #expect(try await store.oauthCodes(withPrefix: "abcd", now: now) == [code])
        #expect(try await store.oauthCodes(withPrefix: "abcd", now: now.adding(seconds: 300)).isEmpty)
        #expect(try await store.deleteOAuthCode(id: code.id))
        #expect(try await store.deleteOAuthCode(id: code.id) == false)
        await #expect(throws: StoreError.invalidReference("OAuth code with prefix abcd")) {
            _ = try await store.createOAuthCode(NewOAuthCode(prefix: "abcd", hashed: "d", clientID: "nobody", userID: alice.id,
                                                              redirectURI: "/", scopes: [], expiresAt: now))
        }
        _ = try await store.createOAuthCode(NewOAuthCode(prefix: "abcd", hashed: "e", clientID: "svc", userID: alice.id,
                                                          redirectURI: "/", scopes: [], expiresAt: now))
        #expect(try await store.deleteExpiredOAuthCodes(now: now) == 1)
    }
}
