import Foundation
import Store
import Testing
@testable import Hub

/// Parses a JSON literal for a request body.
private func body(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

/// Accepts `{"username": u, "password": "secret-<u>"}`, like a password authenticator would.
private struct PasswordCheck: BodyCredentialAuthenticator {
    func userName(authenticating auth: JSONValue, hub: Hub) async throws -> String? {
        guard let name = auth["username"]?.stringValue, auth["password"]?.stringValue == "secret-\(name)" else { return nil }
        return name
    }
}

@Suite("Tokens API: POST /users/{name}/tokens")
struct TokenCreationAPITests {
    @Test("own token: 201 with the model plus `token` (once), default note and inherited scopes; the token works")
    func createOwn() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let alice = try await h.token(for: "alice")
            let r = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice)
            #expect(r.status == 201)
            let m = try #require(r.json)
            let token = try #require(m["token"]?.stringValue)
            #expect(token.count == 32 && token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(m["note"] == .string("Requested via api"))
            #expect(m["user"] == .string("alice") && m["kind"] == .string("api_token") && m["expires_at"] == .null)
            #expect(m["scopes"]?.arrayValue?.count == 15)
            let me = try await h.request(.get, "/hub/api/user", token: token)
            #expect(me.status == 200 && me.json?["token_id"] == m["id"])
            // The clear token is never shown again.
            let again = try await h.request(.get, "/hub/api/users/alice/tokens/\(m["id"]?.stringValue ?? "")", token: alice)
            #expect(again.status == 200 && again.json?["token"] == nil)
            let stored = try await h.store.token(id: TokenID(Int64(m["id"]?.stringValue?.dropFirst() ?? "") ?? 0))
            #expect(stored?.scopes == ["inherit"] && stored?.hashed.contains(token) == false)
        }
    }

    @Test("note, expiry, scopes and roles: stored as asked; roles become scopes at creation")
    func options() async throws {
        try await withHub { h in
            try await h.createRole("reader", scopes: ["read:users!user", "read:servers!user"])
            try await h.createUser("alice", roles: ["reader"])
            let alice = try await h.token(for: "alice")
            let r = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice,
                                        json: try body(#"{"note": "ci", "expires_in": 3600, "scopes": ["read:users!user=alice"]}"#))
            #expect(r.status == 201)
            #expect(r.json?["note"] == .string("ci"))
            let expires = try #require(r.json?["expires_at"]?.stringValue)
            #expect(expires.hasSuffix("Z"))
            let narrow = try #require(r.json?["token"]?.stringValue)
            let me = try await h.request(.get, "/hub/api/user", token: narrow)
            #expect(me.json?["scopes"]?.arrayValue?.contains(.string("servers!user=alice")) == false)
            #expect(try await h.request(.get, "/hub/api/users/alice/tokens", token: narrow).status == 403)

            let viaRole = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice, json: try body(#"{"roles": ["reader"]}"#))
            #expect(viaRole.status == 201)
            #expect(viaRole.json?["roles"] == .array([]))
            let id = Int64(viaRole.json?["id"]?.stringValue?.dropFirst() ?? "") ?? 0
            #expect(try await h.store.token(id: TokenID(id))?.scopes == ["read:users!user", "read:servers!user"])
            let scopes = viaRole.json?["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(scopes.contains("read:servers!user=alice") && scopes.contains("read:users!user=alice"))
        }
    }

    @Test("400s: body shape, types, unknown fields, scopes and roles together, unknown role or scope, excess scopes")
    func badRequests() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let alice = try await h.token(for: "alice")
            let cases: [(String, String)] = [
                (#"[1]"#, "Body must be a JSON dict or empty"),
                (#"{"expires_in": "soon"}"#, "expires_in"),
                (#"{"expires_in": -5}"#, "token expires_in must be a positive integer or null, not -5"),
                (#"{"scopes": "read:users"}"#, "scopes"),
                (#"{"scopes": [1]}"#, "scopes[0]"),
                (#"{"note": 7}"#, "note"),
                (#"{"lifetime": 5}"#, "'lifetime'"),
                (#"{"scopes": [], "roles": []}"#, "Can only assign one of scopes or roles when creating tokens."),
                (#"{"roles": ["nope"]}"#, "No such role: nope"),
                (#"{"scopes": ["all"]}"#, "inherit"),
                (#"{"scopes": ["read:nothing"]}"#, "read:nothing"),
                (#"{"scopes": ["admin:users", "read:users!user=alice"]}"#, ",admin:users,"),
            ]
            for (json, message) in cases {
                let r = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice, json: try body(json))
                #expect(r.status == 400, "\(json)")
                #expect(r.json?["message"]?.stringValue?.contains(message) == true, "\(json): \(r.text)")
            }
            let excess = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice,
                                             json: try body(#"{"scopes": ["read:users"]}"#))
            // Excess scopes are named expanded and sorted, as JupyterHub reports them.
            #expect(excess.json?["message"] == .string("Not assigning requested scopes read:users,read:users:activity,"
                + "read:users:groups,read:users:name not held by User alice"))
            let malformed = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice, body: Array("{".utf8))
            #expect(malformed.status == 400)
            #expect(try await h.store.tokens(of: .user(#require(try await h.store.user(named: "alice")).id)).count == 1)
        }
    }

    @Test("expires_in is capped by token_expires_in_max_seconds: above it 400, unset or 0 gets the maximum")
    func expiryMaximum() async throws {
        try await withHub(yaml: "JupyterHub: {token_expires_in_max_seconds: 3600}") { h in
            try await h.createUser("alice")
            let alice = try await h.token(for: "alice")
            let over = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice, json: try body(#"{"expires_in": 3601}"#))
            #expect(over.status == 400 && over.json?["message"] == .string("token expires_in: 3601 must not exceed 3600"))
            for json in [#"{}"#, #"{"expires_in": 0}"#, #"{"expires_in": null}"#, #"{"expires_in": 3600}"#] {
                let r = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice, json: try body(json))
                #expect(r.status == 201, "\(json)")
                let id = Int64(r.json?["id"]?.stringValue?.dropFirst() ?? "") ?? 0
                let expires = try #require(try await h.store.token(id: TokenID(id))?.expiresAt, "\(json)")
                let seconds = Double(expires.microseconds - Timestamp.now().microseconds) / 1e6
                #expect(seconds > 3500 && seconds <= 3600, "\(json)")
            }
            let short = try await h.request(.post, "/hub/api/users/alice/tokens", token: alice, json: try body(#"{"expires_in": 60}"#))
            #expect(short.status == 201)
        }
    }

    @Test("for someone else: admin 201 with note `by user root`, missing user and unprivileged users 403 alike")
    func forOthers() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.createUser("bob")
            let root = try await h.token(for: "root")
            let made = try await h.request(.post, "/hub/api/users/alice/tokens", token: root)
            #expect(made.status == 201 && made.json?["note"] == .string("Requested via api by user root"))
            #expect(made.json?["user"] == .string("alice"))
            // The new token carries alice's scopes, not root's.
            let aliceToken = try #require(made.json?["token"]?.stringValue)
            #expect(try await h.request(.get, "/hub/api/users/bob/tokens", token: aliceToken).status == 404)
            // Scopes are checked against the owner: root cannot mint alice an admin token.
            let escalate = try await h.request(.post, "/hub/api/users/alice/tokens", token: root,
                                               json: try body(#"{"scopes": ["admin:users"]}"#))
            #expect(escalate.status == 400)
            let missing = try await h.request(.post, "/hub/api/users/missing/tokens", token: root)
            #expect(missing.status == 403)
            #expect(missing.json?["message"] == .string("User missing not found or no permissions to generate tokens"))
            let bob = try await h.token(for: "bob")
            let denied = try await h.request(.post, "/hub/api/users/alice/tokens", token: bob)
            #expect(denied.json?["message"] == .string("User alice not found or no permissions to generate tokens"))
            #expect(try await h.request(.post, "/hub/api/users/alice/tokens").status == 403)
        }
    }

    @Test("a service with tokens!group=team mints tokens for members only, noted `by service …`")
    func serviceForMembers() async throws {
        try await withHub { h in
            try await h.createRole("team-tokens", scopes: ["tokens!group=team"])
            try await h.createUser("alice", groups: ["team"])
            try await h.createUser("bob")
            try await h.createService("minter", roles: ["team-tokens"])
            let service = try await h.serviceToken(for: "minter")
            let made = try await h.request(.post, "/hub/api/users/alice/tokens", token: service)
            #expect(made.status == 201 && made.json?["note"] == .string("Requested via api by service minter"))
            let refused = try await h.request(.post, "/hub/api/users/bob/tokens", token: service)
            #expect(refused.json?["message"] == .string("Service bob not found or no permissions to generate tokens"))
        }
    }

    @Test("body credentials: `auth` works only with an installed authenticator and right credentials")
    func bodyCredentials() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let request = #"{"auth": {"username": "alice", "password": "secret-alice"}, "note": "cli"}"#
            let uninstalled = try await h.request(.post, "/hub/api/users/alice/tokens", json: try body(request))
            #expect(uninstalled.status == 403)
            h.hub.setBodyCredentialAuthenticator(PasswordCheck())
            let made = try await h.request(.post, "/hub/api/users/alice/tokens", json: try body(request))
            #expect(made.status == 201 && made.json?["note"] == .string("cli"))
            let token = try #require(made.json?["token"]?.stringValue)
            #expect(try await h.request(.get, "/hub/api/user", token: token).json?["name"] == .string("alice"))
            let wrong = try await h.request(.post, "/hub/api/users/alice/tokens",
                                            json: try body(#"{"auth": {"username": "alice", "password": "guess"}}"#))
            #expect(wrong.status == 403 && wrong.json?["message"] == .null)
            // Proving to be alice does not give tokens for bob.
            try await h.createUser("bob")
            let other = try await h.request(.post, "/hub/api/users/bob/tokens", json: try body(request))
            #expect(other.status == 403)
        }
    }
}
