import Synchronization
import Testing
@testable import Hub

@Suite("Core endpoints: /info, /user, /shutdown")
struct CoreEndpointTests {
    @Test("GET /info needs read:hub and reports versions and class names")
    func info() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            let t = try await h.token(for: "root")
            let r = try await h.request(.get, "/hub/api/info", token: t)
            #expect(r.status == 200)
            #expect(r.json?["version"] == .string("6.1.1"))
            #expect(r.json?["python"] == .string(""))
            #expect(r.json?["authenticator"]?["class"] == .string("jupyterhub.auth.DummyAuthenticator"))
            #expect(r.json?["spawner"]?["class"] == .string("jupyterhub.spawner.LocalProcessSpawner"))
            #expect(r.json?["sys_executable"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("GET /user for an inherit token: full own model, token_id, session_id and the 15 self scopes")
    func selfModel() async throws {
        try await withHub { h in
            try await h.createUser("alice", groups: ["g1"])
            let t = try await h.token(for: "alice")
            let r = try await h.request(.get, "/hub/api/user", token: t)
            #expect(r.status == 200)
            let m = try #require(r.json)
            #expect(m["kind"] == .string("user"))
            #expect(m["name"] == .string("alice"))
            #expect(m["admin"] == .bool(false))
            #expect(m["groups"] == .array([.string("g1")]))
            #expect(m["roles"] == .array([.string("user")]))
            #expect(m["servers"] == .object([:]))
            #expect(m["server"] == .null)
            #expect(m["pending"] == .null)
            #expect(m["created"]?.stringValue?.hasSuffix("Z") == true)
            #expect(m["token_id"]?.stringValue?.hasPrefix("a") == true)
            #expect(m["session_id"] == .null)
            #expect(m["auth_state"] == nil)
            let scopes = try #require(m["scopes"]?.arrayValue).compactMap(\.stringValue)
            #expect(scopes.count == 15)
            #expect(scopes == scopes.sorted())
            #expect(scopes.contains("read:users!user=alice"))
            #expect(scopes.contains("access:servers!user=alice"))
        }
    }

    @Test("GET /user with a narrow token shows only identify fields and reports only the token's scopes")
    func narrowToken() async throws {
        try await withHub { h in
            try await h.createUser("alice", groups: ["g1"])
            let t = try await h.token(for: "alice", scopes: ["access:servers!server=alice/"])
            let r = try await h.request(.get, "/hub/api/user", token: t)
            #expect(r.status == 200)
            let m = try #require(r.json)
            #expect(m["name"] == .string("alice"))
            #expect(m["groups"] == .array([.string("g1")]))
            #expect(m["admin"] == .bool(false))
            #expect(m["servers"] == nil)
            #expect(m["created"] == nil)
            #expect(m["last_activity"] == nil)
            #expect(m["scopes"] == .array([
                .string("access:servers!server=alice/"), .string("read:users:groups!user=alice"), .string("read:users:name!user=alice"),
            ]))
        }
    }

    @Test("GET /user for a service token gives the service model")
    func serviceModel() async throws {
        try await withHub(yaml: """
            JupyterHub:
              services:
                - name: culler
                  api_token: culler-secret-token-1234
              load_roles:
                - name: culler
                  scopes: [list:users, read:users:activity, read:servers, delete:servers]
                  services: [culler]
            """) { h in
            let r = try await h.request(.get, "/hub/api/user", token: "culler-secret-token-1234")
            #expect(r.status == 200)
            let m = try #require(r.json)
            #expect(m["kind"] == .string("service"))
            #expect(m["name"] == .string("culler"))
            #expect(m["admin"] == .bool(false))
            let scopes = try #require(m["scopes"]?.arrayValue).compactMap(\.stringValue)
            #expect(scopes.contains("list:users"))
            #expect(scopes.contains("delete:servers"))
            #expect(!scopes.contains("read:services:name!service=culler"))
        }
    }

    @Test("POST /shutdown needs the shutdown scope, validates its body and calls the installed hook after 202")
    func shutdown() async throws {
        try await withHub { h in
            let calls = Mutex<[ShutdownRequest]>([])
            h.hub.onShutdown { request in calls.withLock { $0.append(request) } }
            try await h.createUser("alice")
            try await h.createUser("root", admin: true)
            let user = try await h.token(for: "alice")
            let admin = try await h.token(for: "root")
            #expect(try await h.request(.post, "/hub/api/shutdown", token: user).status == 403)
            let bad = try await h.request(.post, "/hub/api/shutdown", token: admin, json: .object(["proxy": .string("yes")]))
            #expect(bad.status == 400)
            #expect(bad.json?["message"] == .string("Field 'proxy' must be a boolean, not string"))
            let ok = try await h.request(.post, "/hub/api/shutdown", token: admin, json: .object(["servers": .bool(true)]))
            #expect(ok.status == 202)
            #expect(ok.json == .object(["message": .string("Shutting down Hub")]))
            #expect(calls.withLock { $0 } == [ShutdownRequest(proxy: true, servers: true)])
        }
    }
}
