import Foundation
import Store
import Testing
@testable import Hub

@Suite("Server endpoints: scopes")
struct ServersScopeTests {
    @Test("a user's own token starts and stops their server; another user's server is 404, never 403")
    func selfScope() async throws {
        try await withServersHub { env in
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("bob")
            let alice = try await env.harness.token(for: "alice")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: alice).status == 201)
            for (method, path) in [(HTTPMethod.post, "/hub/api/users/bob/server"), (.delete, "/hub/api/users/bob/server"),
                                   (.get, "/hub/api/users/bob/server"), (.get, "/hub/api/users/bob/server/progress"),
                                   (.get, "/hub/api/users/nobody/server")] {
                let response = try await env.harness.request(method, path, token: alice)
                #expect(response.status == 404, "\(method) \(path)")
            }
            #expect(env.spawners.spawner("bob") == nil)
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: alice).status == 204)
        }
    }

    @Test("no credentials is 403 'Missing or invalid credentials.'")
    func anonymous() async throws {
        try await withServersHub { env in
            _ = try await env.harness.createUser("alice")
            for method in [HTTPMethod.get, .post, .delete] {
                let response = try await env.harness.request(method, "/hub/api/users/alice/server")
                #expect(response.status == 403)
                #expect(response.message == "Missing or invalid credentials.")
            }
        }
    }

    @Test("an admin reaches everyone's servers; an unknown user is 404")
    func admin() async throws {
        try await withServersHub { env in
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("root", admin: true)
            let root = try await env.harness.token(for: "root")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: root).status == 201)
            let model = try await env.harness.request(.get, "/hub/api/users/alice/server", token: root)
            #expect(model.json?["state"] != nil)
            #expect(try await env.harness.request(.post, "/hub/api/users/nobody/server", token: root).status == 404)
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: root).status == 204)
        }
    }

    @Test("a service with start:servers for one user may start but not stop, read or touch others")
    func narrowService() async throws {
        try await withServersHub { env in
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("bob")
            try await env.harness.createRole("starter", scopes: ["start:servers!user=alice"])
            try await env.harness.createService("launcher", roles: ["starter"])
            let token = try await env.harness.serviceToken(for: "launcher")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            let stop = try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token)
            #expect(stop.status == 403)
            #expect(stop.message?.contains("delete:servers") == true)
            #expect(try await env.harness.request(.get, "/hub/api/users/alice/server", token: token).status == 403)
            #expect(try await env.harness.request(.post, "/hub/api/users/bob/server", token: token).status == 404)
        }
    }

    @Test("filtered tokens: read:servers!server and servers!group grant exactly their servers")
    func filters() async throws {
        try await withServersHub(yaml: "JupyterHub: {allow_named_servers: true}") { env in
            _ = try await env.harness.createUser("alice", groups: ["g"])
            _ = try await env.harness.createUser("bob")
            _ = try await env.harness.createUser("root", admin: true)
            let root = try await env.harness.token(for: "root")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: root).status == 201)
            #expect(try await env.harness.request(.post, "/hub/api/users/bob/server", token: root).status == 201)

            let reader = try await env.harness.token(for: "root", scopes: ["read:servers!server=alice/"])
            #expect(try await env.harness.request(.get, "/hub/api/users/alice/server", token: reader).status == 200)
            #expect(try await env.harness.request(.get, "/hub/api/users/alice/servers/other", token: reader).status == 404)
            #expect(try await env.harness.request(.get, "/hub/api/users/bob/server", token: reader).status == 404)
            let escalate = try await env.harness.request(.delete, "/hub/api/users/alice/server", token: reader)
            #expect(escalate.status == 403)
            // Without admin:server_state the model has no `state`.
            #expect(try await env.harness.request(.get, "/hub/api/users/alice/server", token: reader).json?["state"] == nil)

            try await env.harness.createRole("group-servers", scopes: ["servers!group=g"])
            try await env.harness.createService("ops", roles: ["group-servers"])
            let ops = try await env.harness.serviceToken(for: "ops")
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: ops).status == 204)
            #expect(try await env.harness.request(.delete, "/hub/api/users/bob/server", token: ops).status == 404)
            #expect(try await env.store.server(userID: try #require(try await env.store.user(named: "bob")).id, name: "")?.ready == true)
        }
    }

    @Test("/proxy needs the proxy scope")
    func proxyScope() async throws {
        try await withServersHub { env in
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("root", admin: true)
            let alice = try await env.harness.token(for: "alice")
            for method in [HTTPMethod.get, .post, .patch] {
                let response = try await env.harness.request(method, "/hub/api/proxy", token: alice, json: .object([:]))
                #expect(response.status == 403, "\(method)")
            }
            let root = try await env.harness.token(for: "root")
            #expect(try await env.harness.request(.get, "/hub/api/proxy", token: root).status == 200)
        }
    }
}

import HTTPTypes
typealias HTTPMethod = HTTPRequest.Method
