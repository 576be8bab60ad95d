import HTTPTypes
import Store
import Testing
@testable import Hub

@Suite("Token identity and the authorization mechanism")
struct CoreIdentityTests {
    @Test("Authorization accepts 'token' and 'bearer' in any case")
    func schemes() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let t = try await h.token(for: "alice")
            for value in ["token \(t)", "Token \(t)", "bearer \(t)", "BEARER \(t)"] {
                let r = try await h.request(.get, "/hub/api/user", headers: [.authorization: value])
                #expect(r.status == 200, "\(value.prefix(6))")
                #expect(r.json?["name"] == .string("alice"))
            }
            let basic = try await h.request(.get, "/hub/api/user", headers: [.authorization: "basic \(t)"])
            #expect(basic.status == 403)
        }
    }

    @Test("?token= is not a credential on the hub API: 403 Missing or invalid credentials")
    func queryTokenRefused() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let t = try await h.token(for: "alice")
            let r = try await h.request(.get, "/hub/api/user?token=\(t)")
            #expect(r.status == 403)
            #expect(r.json == .object(["status": .int(403), "message": .string("Missing or invalid credentials.")]))
        }
    }

    @Test("unknown, over-long, expired tokens and blocked owners are all anonymous")
    func invalidCredentials() async throws {
        try await withHub(yaml: "Authenticator:\n  blocked_users: [mallory]\n") { h in
            try await h.createUser("alice")
            let wrong = try await h.request(.get, "/hub/api/user", token: "0123456789abcdef0123456789abcdef")
            #expect(wrong.status == 403)
            let long = try await h.request(.get, "/hub/api/user", token: String(repeating: "a", count: 65))
            #expect(long.status == 403)
            let expired = try await h.token(for: "alice", expiresIn: -1)
            #expect(try await h.request(.get, "/hub/api/user", token: expired).status == 403)
            // mallory exists but is blocked by configuration.
            try await h.createUser("mallory")
            try await h.hub.start()  // restart applies blocked_users to existing users
            let blocked = try await h.token(for: "mallory")
            #expect(try await h.request(.get, "/hub/api/user", token: blocked).status == 403)
        }
    }

    @Test("missing scope is 403 naming it; a scope held only for other resources is 404")
    func forbiddenVersusNotFound() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let t = try await h.token(for: "alice")
            let info = try await h.request(.get, "/hub/api/info", token: t)
            #expect(info.status == 403)
            #expect(info.json?["message"] == .string("Action is not authorized with current scopes; requires any of [read:hub]"))
            let anonymous = try await h.request(.get, "/hub/api/info")
            #expect(anonymous.json?["message"] == .string("Missing or invalid credentials."))
        }
    }

    @Test("revoking a role shrinks a cached token at once, not after the cache TTL")
    func cacheInvalidation() async throws {
        try await withHub { h in
            try await h.createRole("hub-reader", scopes: ["read:hub"])
            let user = try await h.createUser("alice", roles: ["hub-reader"])
            let t = try await h.token(for: "alice")
            #expect(try await h.request(.get, "/hub/api/info", token: t).status == 200)
            try await h.store.unassignRole("hub-reader", from: .user(user.id))
            h.hub.identitiesChanged()
            #expect(try await h.request(.get, "/hub/api/info", token: t).status == 403)
        }
    }

    @Test("a write through the API makes cached identities stale by itself")
    func apiWritesInvalidate() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let t = try await h.token(for: "alice")
            let before = h.hub.identities.generation
            _ = try await h.request(.post, "/hub/api/shutdown", token: t, json: .object([:]))
            #expect(h.hub.identities.generation == before)  // shutdown declares it changes nothing
            _ = try await h.request(.delete, "/hub/api/nowhere", token: t)
            #expect(h.hub.identities.generation == before)  // unmatched paths run nothing
        }
    }

    @Test("token scopes are capped by the owner's and group roles count for users")
    func groupRolesAndCapping() async throws {
        try await withHub { h in
            try await h.createRole("hub-reader", scopes: ["read:hub"])
            try await h.createUser("alice")
            try await h.createGroup("readers", members: ["alice"], roles: ["hub-reader"])
            let viaGroup = try await h.token(for: "alice", scopes: ["read:hub"])
            #expect(try await h.request(.get, "/hub/api/info", token: viaGroup).status == 200)
            try await h.createUser("bob")
            let excess = try await h.token(for: "bob", scopes: ["read:hub"])  // stored, but bob lacks it
            #expect(try await h.request(.get, "/hub/api/info", token: excess).status == 403)
        }
    }

    @Test("token use is recorded as activity in batches, and server tokens do not bump the user")
    func activity() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            let t = try await h.token(for: "alice")
            _ = try await h.request(.get, "/hub/api/user", token: t)
            #expect(try await h.store.user(named: "alice")?.lastActivity == nil)  // not written per request
            await h.hub.activity.flush()
            #expect(try await h.store.user(named: "alice")?.lastActivity != nil)
            try await h.createUser("bob")
            let server = try await h.token(for: "bob", note: "Server at /user/bob/")
            _ = try await h.request(.get, "/hub/api/user", token: server)
            await h.hub.activity.flush()
            #expect(try await h.store.user(named: "bob")?.lastActivity == nil)
            let rows = try await h.store.tokens(of: .user(try #require(try await h.store.user(named: "bob")).id))
            #expect(rows.first?.lastActivity != nil)
        }
    }
}
