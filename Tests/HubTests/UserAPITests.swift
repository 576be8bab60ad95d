import Store
import Testing
@testable import Hub

private let cryptKey = ["JUPYTERHUB_CRYPT_KEY": String(repeating: "0f", count: 32)]

@Suite("GET/POST /users/{name}")
struct UserReadCreateTests {
    @Test("GET: own model with self, 404 for another user, admin sees everyone, unknown is a bare 404")
    func get() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.createUser("bob")
            let alice = try await h.token(for: "alice")
            let own = try await h.request(.get, "/hub/api/users/alice", token: alice)
            #expect(own.status == 200)
            #expect(own.json?["name"] == .string("alice"))
            #expect(own.json?["auth_state"] == nil)
            let other = try await h.request(.get, "/hub/api/users/bob", token: alice)
            #expect(other.status == 404)
            let root = try await h.token(for: "root")
            #expect(try await h.request(.get, "/hub/api/users/bob", token: root).json?["name"] == .string("bob"))
            let ghost = try await h.request(.get, "/hub/api/users/ghost", token: root)
            #expect(ghost.status == 404)
            #expect(ghost.json == .object(["status": .int(404), "message": .null]))
            #expect(try await h.request(.get, "/hub/api/users/alice").status == 403)
        }
    }

    @Test("GET with narrow scopes: a group-filtered activity reader sees members' activity only, 404 elsewhere; no scope is 403")
    func narrowScopes() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice", groups: ["g"])
            try await h.createUser("bob")
            try await h.createRole("watcher", scopes: ["read:users:activity!group=g"])
            try await h.createService("watch", roles: ["watcher"])
            let t = try await h.serviceToken(for: "watch")
            let member = try await h.request(.get, "/hub/api/users/alice", token: t)
            #expect(member.status == 200)
            #expect(member.json?.keys == ["kind", "last_activity", "name"])
            #expect(try await h.request(.get, "/hub/api/users/bob", token: t).status == 404)
            try await h.createRole("hub-reader", scopes: ["read:hub"])
            try await h.createService("info", roles: ["hub-reader"])
            let none = try await h.serviceToken(for: "info")
            let refused = try await h.request(.get, "/hub/api/users/alice", token: none)
            #expect(refused.status == 403)
            #expect(refused.json?.message?.contains("read:users") == true)
        }
    }

    @Test("POST creates one user (201), 409 when taken, 400 for invalid names, admin only from admins")
    func create() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createRole("user-admin", scopes: ["admin:users"])
            try await h.createUser("helper", roles: ["user-admin"])
            let root = try await h.token(for: "root")
            let made = try await h.request(.post, "/hub/api/users/newbie", token: root)
            #expect(made.status == 201)
            #expect(made.json?["name"] == .string("newbie"))
            #expect(made.json?["roles"] == .array([.string("user")]))
            let taken = try await h.request(.post, "/hub/api/users/newbie", token: root)
            #expect(taken.status == 409)
            #expect(taken.json?.message == "User newbie already exists")
            let invalid = try await h.request(.post, "/hub/api/users/trailing%20", token: root)
            #expect(invalid.status == 400)
            #expect(invalid.json?.message == "Invalid username: trailing ")
            let admin = try await h.request(.post, "/hub/api/users/boss", token: root, json: .object(["admin": .bool(true)]))
            #expect(admin.json?["admin"] == .bool(true))
            let helper = try await h.token(for: "helper")
            let refused = try await h.request(.post, "/hub/api/users/sneaky", token: helper, json: .object(["admin": .bool(true)]))
            #expect(refused.status == 403)
            #expect(try await h.request(.post, "/hub/api/users/fine", token: helper).status == 201)
            #expect(try await h.request(.post, "/hub/api/users/x", token: root, json: .object(["name": .string("y")])).status == 400)
            let user = try await h.token(for: "fine")
            #expect(try await h.request(.post, "/hub/api/users/z", token: user).status == 403)
        }
    }
}

@Suite("PATCH /users/{name}")
struct UserPatchTests {
    @Test("rename: 200 with the new name, the old name is gone, a taken name is 409")
    func rename() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.createUser("bob")
            let t = try await h.token(for: "root")
            let r = try await h.request(.patch, "/hub/api/users/alice", token: t, json: .object(["name": .string("alicia")]))
            #expect(r.status == 200)
            #expect(r.json?["name"] == .string("alicia"))
            #expect(try await h.request(.get, "/hub/api/users/alice", token: t).status == 404)
            let taken = try await h.request(.patch, "/hub/api/users/alicia", token: t, json: .object(["name": .string("bob")]))
            #expect(taken.status == 409)
            #expect(taken.json?.message == "User bob already exists, username must be unique")
            try await h.addServer("bob")
            let running = try await h.request(.patch, "/hub/api/users/bob", token: t, json: .object(["name": .string("robert")]))
            #expect(running.status == 400)
            #expect(try await h.store.user(named: "bob") != nil)
        }
    }

    @Test("admin flag: granting adds the admin role, revoking removes it")
    func adminFlag() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            let up = try await h.request(.patch, "/hub/api/users/alice", token: t, json: .object(["admin": .bool(true)]))
            #expect(up.json?["admin"] == .bool(true))
            #expect(up.json?["roles"] == .array([.string("user"), .string("admin")]))
            let alice = try await h.token(for: "alice")
            #expect(try await h.request(.get, "/hub/api/users/root", token: alice).status == 200)
            let down = try await h.request(.patch, "/hub/api/users/alice", token: t, json: .object(["admin": .bool(false)]))
            #expect(down.json?["roles"] == .array([.string("user")]))
            #expect(try await h.request(.get, "/hub/api/users/root", token: alice).status == 404)
        }
    }

    @Test("non-admins holding admin:users cannot touch admins or grant admin")
    func noEscalation() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.createRole("user-admin", scopes: ["admin:users"])
            try await h.createUser("helper", roles: ["user-admin"])
            let t = try await h.token(for: "helper")
            let admins = try await h.request(.patch, "/hub/api/users/root", token: t, json: .object(["name": .string("toor")]))
            #expect(admins.status == 403)
            #expect(admins.json?.message == "Only admins can modify other admins")
            let grant = try await h.request(.patch, "/hub/api/users/helper", token: t, json: .object(["admin": .bool(true)]))
            #expect(grant.status == 403)
            #expect(grant.json?.message == "Only admins can grant admin permissions")
            #expect(try await h.request(.patch, "/hub/api/users/alice", token: t, json: .object(["name": .string("al")])).status == 200)
            let scoped = try await h.token(for: "root", scopes: ["admin:users!user=al"])
            #expect(try await h.request(.patch, "/hub/api/users/helper", token: scoped, json: .object([:])).status == 404)
            #expect(try await h.request(.patch, "/hub/api/users/al", token: scoped, json: .object([:])).status == 200)
            let user = try await h.token(for: "al")
            #expect(try await h.request(.patch, "/hub/api/users/al", token: user, json: .object([:])).status == 403)
        }
    }

    @Test("bodies: unknown keys, wrong types, null values and an empty body are 400; unknown user 404")
    func badBodies() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            for body: JSONValue in [.object(["groups": .array([])]), .object(["admin": .string("yes")]), .object(["name": .null]),
                                    .object(["auth_state": .array([])]), .array([]), .object(["name": .string("a/b")])] {
                let r = try await h.request(.patch, "/hub/api/users/alice", token: t, json: body)
                #expect(r.status == 400, "\(body.jsonText)")
            }
            #expect(try await h.request(.patch, "/hub/api/users/alice", token: t).status == 400)
            #expect(try await h.request(.patch, "/hub/api/users/ghost", token: t, json: .object([:])).status == 404)
        }
    }

    @Test("auth_state is stored encrypted, shown decrypted to admin:auth_state holders only, null in lists")
    func authState() async throws {
        try await withHub(environment: cryptKey) { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            let state: JSONValue = .object(["access_token": .string("s3cret"), "n": .int(1)])
            let r = try await h.request(.patch, "/hub/api/users/alice", token: t, json: .object(["auth_state": state]))
            #expect(r.status == 200)
            #expect(r.json?["auth_state"] == state)
            let stored = try #require(try await h.store.user(named: "alice")?.encryptedAuthState)
            #expect(!String(decoding: stored, as: UTF8.self).contains("s3cret"))
            #expect(try await h.request(.get, "/hub/api/users/alice", token: t).json?["auth_state"] == state)
            #expect(try await h.request(.get, "/hub/api/users", token: t).json?.arrayValue?[1]["auth_state"] == .null)
            let reader = try await h.token(for: "root", scopes: ["read:users"])
            #expect(try await h.request(.get, "/hub/api/users/alice", token: reader).json?["auth_state"] == nil)
        }
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            let r = try await h.request(.patch, "/hub/api/users/alice", token: t, json: .object(["auth_state": .object([:])]))
            #expect(r.status == 400)
            #expect(r.json?.message?.contains("JUPYTERHUB_CRYPT_KEY") == true)
        }
    }
}

@Suite("DELETE /users/{name}")
struct UserDeleteTests {
    @Test("204 with an empty body; the user and their rows are gone")
    func delete() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice", groups: ["g"])
            try await h.addServer("alice", ready: false)
            let t = try await h.token(for: "root")
            let r = try await h.request(.delete, "/hub/api/users/alice", token: t)
            #expect(r.status == 204)
            #expect(r.body.isEmpty)
            #expect(try await h.store.user(named: "alice") == nil)
            #expect(try await h.request(.delete, "/hub/api/users/alice", token: t).status == 404)
        }
    }

    @Test("400 for oneself and a stop in progress; running servers are stopped first; delete:users suffices; others 403/404")
    func refusals() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("running")
            try await h.createUser("stopping")
            try await h.createUser("alice")
            try await h.addServer("running")
            try await h.addServer("stopping", ready: false, pending: .stop)
            let t = try await h.token(for: "root")
            let me = try await h.request(.delete, "/hub/api/users/root", token: t)
            #expect(me.status == 400)
            #expect(me.json?.message == "Cannot delete yourself!")
            let stopping = try await h.request(.delete, "/hub/api/users/stopping", token: t)
            #expect(stopping.json?.message == "stopping's server is in the process of stopping, please wait.")
            // As JupyterHub: a user with a running server is deleted after the server is stopped.
            let running = try await h.request(.delete, "/hub/api/users/running", token: t)
            #expect(running.status == 204)
            #expect(try await h.store.user(named: "running") == nil)

            try await h.createRole("deleter", scopes: ["delete:users"])
            try await h.createService("cleanup", roles: ["deleter"])
            let service = try await h.serviceToken(for: "cleanup")
            let user = try await h.token(for: "alice")
            #expect(try await h.request(.delete, "/hub/api/users/root", token: user).status == 403)
            let other = try await h.token(for: "root", scopes: ["delete:users!user=running"])
            #expect(try await h.request(.delete, "/hub/api/users/alice", token: other).status == 404)
            let narrow = try await h.token(for: "root", scopes: ["read:users"])
            #expect(try await h.request(.delete, "/hub/api/users/alice", token: narrow).status == 403)
            #expect(try await h.request(.delete, "/hub/api/users/alice", token: service).status == 204)
        }
    }
}
