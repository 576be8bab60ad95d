import Foundation
import Store
import Testing
@testable import Hub

/// Parses a JSON literal for a request body.
private func body(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

/// The string values of a JSON array.
private func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }

@Suite("Tokens API: /users/{name}/tokens")
struct TokensAPITests {
    @Test("listing: api_tokens with JupyterHub's token model, oldest use first, expired tokens gone")
    func listModel() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let first = try await h.token(for: "alice", note: "first")
            _ = try await h.token(for: "alice", scopes: ["read:users!user=alice"], note: "narrow")
            _ = try await h.token(for: "alice", note: "short-lived", expiresIn: 1)
            try await Task.sleep(for: .milliseconds(1100))
            let alice = try #require(try await h.store.user(named: "alice"))
            let firstID = try #require(try await h.store.tokens(of: .user(alice.id)).first { $0.note == "first" }?.id)
            try await h.store.bumpTokenActivity([firstID: .now()])
            let r = try await h.request(.get, "/hub/api/users/alice/tokens", token: first)
            #expect(r.status == 200)
            #expect(r.json?.objectValue?.keys.sorted() == ["api_tokens"])
            let tokens = try #require(r.json?["api_tokens"]?.arrayValue)
            #expect(tokens.map { $0["note"]?.stringValue } == ["narrow", "first"])  // `first` was used last
            let narrow = try #require(tokens.first?.objectValue)
            #expect(narrow.keys.sorted() == ["created", "expires_at", "id", "kind", "last_activity", "note", "oauth_client",
                                             "roles", "scopes", "session_id", "user"])
            #expect(narrow["user"] == .string("alice"))
            #expect(narrow["kind"] == .string("api_token"))
            #expect(narrow["roles"] == .array([]))
            #expect(narrow["oauth_client"] == .string("JupyterHub"))
            #expect(narrow["expires_at"] == .null && narrow["session_id"] == .null && narrow["last_activity"] == .null)
            // Reported scopes are what the token may do now, identify scopes included.
            #expect(strings(narrow["scopes"]) == ["read:users!user=alice", "read:users:activity!user=alice",
                                                  "read:users:groups!user=alice", "read:users:name!user=alice"])
            // An inherit token reports the owner's 15 `self` scopes.
            #expect(strings(tokens.last?["scopes"]).count == 15)
        }
    }

    @Test("listing access: own 200, another user's 404, admin 200, unknown user 404, anonymous and unscoped 403")
    func listAccess() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            try await h.createUser("bob")
            try await h.createUser("root", admin: true)
            let alice = try await h.token(for: "alice")
            let root = try await h.token(for: "root")
            #expect(try await h.request(.get, "/hub/api/users/alice/tokens", token: alice).status == 200)
            let other = try await h.request(.get, "/hub/api/users/bob/tokens", token: alice)
            #expect(other.status == 404 && other.json?["message"] == .null)
            let bobs = try await h.request(.get, "/hub/api/users/bob/tokens", token: root)
            #expect(bobs.status == 200 && bobs.json?["api_tokens"] == .array([]))
            let missing = try await h.request(.get, "/hub/api/users/missing/tokens", token: root)
            #expect(missing.status == 404 && missing.json?["message"] == .string("No such user: missing"))
            let anonymous = try await h.request(.get, "/hub/api/users/alice/tokens")
            #expect(anonymous.status == 403 && anonymous.json?["message"] == .string("Missing or invalid credentials."))
            let narrow = try await h.token(for: "alice", scopes: ["read:users!user=alice"])
            let unscoped = try await h.request(.get, "/hub/api/users/alice/tokens", token: narrow)
            #expect(unscoped.status == 403)
            #expect(unscoped.json?["message"]?.stringValue?.contains("read:tokens") == true)
        }
    }

    @Test("scope matrix: a service holding read:tokens!group=team reads members' tokens only; a filtered token stays filtered")
    func filteredScopes() async throws {
        try await withHub { h in
            try await h.createRole("team-tokens", scopes: ["read:tokens!group=team"])
            try await h.createUser("alice", groups: ["team"])
            try await h.createUser("bob")
            try await h.createUser("root", admin: true)
            try await h.createService("auditor", roles: ["team-tokens"])
            let service = try await h.serviceToken(for: "auditor")
            #expect(try await h.request(.get, "/hub/api/users/alice/tokens", token: service).status == 200)
            #expect(try await h.request(.get, "/hub/api/users/bob/tokens", token: service).status == 404)
            // An admin token restricted to alice cannot reach bob, nor create tokens at all (no `tokens` scope).
            let rootForAlice = try await h.token(for: "root", scopes: ["read:tokens!user=alice"])
            #expect(try await h.request(.get, "/hub/api/users/alice/tokens", token: rootForAlice).status == 200)
            #expect(try await h.request(.get, "/hub/api/users/bob/tokens", token: rootForAlice).status == 404)
            let create = try await h.request(.post, "/hub/api/users/alice/tokens", token: rootForAlice)
            #expect(create.status == 403)
            #expect(create.json?["message"] == .string("User alice not found or no permissions to generate tokens"))
        }
    }

    @Test("one token: same model as in the list; bad, unknown or someone else's ids are 404 with JupyterHub's message")
    func getOne() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            try await h.createUser("bob")
            let alice = try await h.token(for: "alice")
            _ = try await h.token(for: "bob")
            let list = try await h.request(.get, "/hub/api/users/alice/tokens", token: alice)
            let listed = try #require(list.json?["api_tokens"]?.arrayValue?.first)
            let id = try #require(listed["id"]?.stringValue)
            let one = try await h.request(.get, "/hub/api/users/alice/tokens/\(id)", token: alice)
            #expect(one.status == 200)
            #expect(one.json?["id"] == listed["id"] && one.json?["scopes"] == listed["scopes"] && one.json?["note"] == listed["note"])
            for bad in ["x1", "a", "a0", "a01", "a999", "2", "a2"] {  // a2 is bob's token
                let r = try await h.request(.get, "/hub/api/users/alice/tokens/\(bad)", token: alice)
                #expect(r.status == 404, "\(bad)")
                #expect(r.json?["message"] == .string("No such token \(bad) for user alice"), "\(bad)")
            }
            #expect(try await h.request(.get, "/hub/api/users/bob/tokens/a2", token: alice).status == 404)
        }
    }

    @Test("revoking: 204 empty text/plain, and the token stops working at once despite the identity cache")
    func revoke() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let keeper = try await h.token(for: "alice")
            let doomed = try await h.token(for: "alice", note: "doomed")
            // Warm the cache with the doomed token.
            #expect(try await h.request(.get, "/hub/api/user", token: doomed).status == 200)
            let alice = try #require(try await h.store.user(named: "alice"))
            let id = try #require(try await h.store.tokens(of: .user(alice.id)).first { $0.note == "doomed" }?.id)
            let r = try await h.request(.delete, "/hub/api/users/alice/tokens/a\(id.rawValue)", token: keeper)
            #expect(r.status == 204 && r.body.isEmpty && r.header("Content-Type") == "text/plain")
            #expect(try await h.request(.get, "/hub/api/user", token: doomed).status == 403)
            #expect(try await h.request(.get, "/hub/api/user", token: keeper).status == 200)
            #expect(try await h.request(.delete, "/hub/api/users/alice/tokens/a\(id.rawValue)", token: keeper).status == 404)
        }
    }

    @Test("revoking an OAuth token revokes every token of that client for the user, and nothing else")
    func revokeOAuthGrant() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            try await h.createUser("bob")
            let client = "jupyterhub-user-alice"
            try await h.store.saveOAuthClient(identifier: client, description: "Server at /user/alice/", secretHash: nil,
                                              redirectURI: "/user/alice/oauth_callback", allowedScopes: [])
            let keeper = try await h.token(for: "alice")
            let first = try await h.token(for: "alice", scopes: ["read:users:name!user=alice"], clientID: client)
            let second = try await h.token(for: "alice", scopes: ["read:users:name!user=alice"], clientID: client)
            let list = try await h.request(.get, "/hub/api/users/alice/tokens", token: keeper)
            let oauth = list.json?["api_tokens"]?.arrayValue?.filter { $0["oauth_client"] == .string("Server at /user/alice/") } ?? []
            #expect(oauth.count == 2)
            // The server's access scope is part of what an OAuth token may do.
            let oauthScopes = strings(oauth.first?["scopes"])
            #expect(oauthScopes.contains("access:servers!server=alice/"))
            let id = try #require(oauth.first?["id"]?.stringValue)
            #expect(try await h.request(.delete, "/hub/api/users/alice/tokens/\(id)", token: keeper).status == 204)
            #expect(try await h.request(.get, "/hub/api/user", token: first).status == 403)
            #expect(try await h.request(.get, "/hub/api/user", token: second).status == 403)
            #expect(try await h.request(.get, "/hub/api/user", token: keeper).status == 200)
        }
    }

    @Test("revoking needs `tokens` on the owner: read:tokens alone is 403, another user's token 404")
    func revokeAccess() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            try await h.createUser("bob")
            _ = try await h.token(for: "bob")
            let reader = try await h.token(for: "alice", scopes: ["read:tokens!user=alice"])
            let own = try await h.request(.delete, "/hub/api/users/alice/tokens/a2", token: reader)
            #expect(own.status == 403)
            let alice = try await h.token(for: "alice")
            #expect(try await h.request(.delete, "/hub/api/users/bob/tokens/a1", token: alice).status == 404)
            #expect(try await h.request(.get, "/hub/api/user", token: try await h.token(for: "bob")).status == 200)
        }
    }
}
