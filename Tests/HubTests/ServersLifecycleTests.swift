import Foundation
import Spawners
import Store
import Testing
@testable import Hub

@Suite("Server lifecycle")
struct ServersLifecycleTests {
    @Test("a fast start answers 201 and leaves a ready server, its token, OAuth client and proxy route")
    func fastStart() async throws {
        try await withServersHub { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            let response = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token)
            #expect(response.status == 201)
            #expect(response.header("Content-Type") == "text/plain")
            #expect(response.body.isEmpty)

            let row = try #require(try await env.store.server(userID: alice.id, name: ""))
            #expect(row.ready && row.pending == nil && row.started != nil)
            #expect(row.url == "http://127.0.0.1:9999/user/alice/")
            #expect(row.serverVersion == "6.1.1")
            #expect(env.network.requests == ["GET http://127.0.0.1:9999/user/alice/api"])

            let serverTokens = try await env.store.tokens(of: .user(alice.id)).filter { $0.note == "Server at /user/alice/" }
            #expect(serverTokens.count == 1)
            #expect(serverTokens.first?.scopes.sorted() == ["access:servers!server=alice/", "users:activity!user=alice"])
            let client = try #require(try await env.store.oauthClient(identifier: "jupyterhub-user-alice"))
            #expect(client.redirectURI == "/user/alice/oauth_callback")
            #expect(client.description == "Server at /user/alice/")

            let route = try #require(env.hub.servers.routing.embeddedTable?.route(forKey: "/user/alice"))
            #expect(route.target == "http://127.0.0.1:9999")
            #expect(route.json["user"] == .string("alice"))
            #expect(route.json["server_name"] == .string(""))
            #expect(route.json["jupyterhub"] == .bool(true))

            let model = try await env.harness.request(.get, "/hub/api/users/alice/server", token: token)
            #expect(model.status == 200)
            #expect(model.json?["ready"] == .bool(true))
            #expect(model.json?["stopped"] == .bool(false))
            #expect(model.json?["url"] == .string("/user/alice/"))
            #expect(model.json?["pending"] == .null)
        }
    }

    @Test("the spawner gets every JUPYTERHUB_* variable with JupyterHub's values")
    func environment() async throws {
        try await withServersHub(yaml: """
            JupyterHub: {hub_connect_url: "http://hub:8081", allow_named_servers: true}
            Spawner: {environment: {EXTRA: "1", JUPYTERHUB_DEBUG: "override"}, mem_limit: 1G, cpu_limit: 2, default_url: /lab}
            """) { env in
            _ = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb1", token: token).status == 201)
            let context = try #require(env.spawners.spawner("alice", "nb1")?.startContexts.first)
            let vars = context.environment
            let apiToken = try #require(vars["JUPYTERHUB_API_TOKEN"])
            #expect(apiToken.count == 32)
            #expect(vars["JPY_API_TOKEN"] == apiToken)
            #expect(vars["JUPYTERHUB_CLIENT_ID"] == "jupyterhub-user-alice-nb1")
            #expect(vars["JUPYTERHUB_API_URL"] == "http://hub:8081/hub/api")
            #expect(vars["JUPYTERHUB_ACTIVITY_URL"] == "http://hub:8081/hub/api/users/alice/activity")
            #expect(vars["JUPYTERHUB_BASE_URL"] == "/")
            #expect(vars["JUPYTERHUB_SERVICE_PREFIX"] == "/user/alice/nb1/")
            #expect(vars["JUPYTERHUB_SERVICE_URL"] == "http://127.0.0.1:0/user/alice/nb1/")
            #expect(vars["JUPYTERHUB_OAUTH_CALLBACK_URL"] == "/user/alice/nb1/oauth_callback")
            #expect(vars["JUPYTERHUB_OAUTH_ACCESS_SCOPES"] == #"["access:servers!server=alice/nb1", "access:servers!user=alice"]"#)
            #expect(vars["JUPYTERHUB_OAUTH_SCOPES"] == vars["JUPYTERHUB_OAUTH_ACCESS_SCOPES"])
            #expect(vars["JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES"] == "[]")
            #expect(vars["JUPYTERHUB_USER"] == "alice")
            #expect(vars["JUPYTERHUB_SERVER_NAME"] == "nb1")
            #expect(vars["JUPYTERHUB_HOST"] == "")
            #expect(vars["JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED"] == "0")
            #expect(vars["JUPYTERHUB_DEFAULT_URL"] == "/lab")
            #expect(vars["MEM_LIMIT"] == "1073741824")
            #expect(vars["CPU_LIMIT"] == "2.0")
            #expect(vars["EXTRA"] == "1")
            #expect(vars["JUPYTERHUB_DEBUG"] == "override")
            #expect(vars["CONFIGPROXY_AUTH_TOKEN"] == nil)
            #expect(context.argv == ["jupyterhub-singleuser"])
        }
    }

    @Test("starting a running server is a 400 naming it; stopping answers 204 and undoes the start")
    func startTwiceThenStop() async throws {
        try await withServersHub { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            let again = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token)
            #expect(again.status == 400)
            #expect(again.message == "alice is already running")

            let stop = try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token)
            #expect(stop.status == 204)
            #expect(stop.body.isEmpty)
            #expect(env.spawners.spawner("alice")?.stopCount == 1)
            let row = try #require(try await env.store.server(userID: alice.id, name: ""))
            #expect(!row.ready && row.pending == nil && row.started == nil && row.url == nil)
            #expect(row.lastActivity != nil)
            #expect(env.hub.servers.routing.embeddedTable?.route(forKey: "/user/alice") == nil)
            #expect(try await env.store.tokens(of: .user(alice.id)).allSatisfy { $0.note != "Server at /user/alice/" })
            #expect(try await env.store.oauthClient(identifier: "jupyterhub-user-alice") == nil)
            // Stopping a stopped server is fine, and it can start again.
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token).status == 204)
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
        }
    }

    @Test("a slow spawn answers 202 after slow_spawn_timeout, shows pending spawn, and becomes ready")
    func slowSpawn() async throws {
        try await withServersHub(yaml: "JupyterHub: {tornado_settings: {slow_spawn_timeout: 0.1}}") { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .milliseconds(600)))
            let response = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token)
            #expect(response.status == 202)
            #expect(response.body.isEmpty)
            let model = try await env.harness.request(.get, "/hub/api/users/alice/server", token: token)
            #expect(model.json?["pending"] == .string("spawn"))
            #expect(model.json?["ready"] == .bool(false))
            // A second start while spawning is another 202, not a second spawn.
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 202)
            #expect(try await eventually { try await env.store.server(userID: alice.id, name: "")?.ready == true })
            #expect(env.spawners.spawner("alice")?.startContexts.count == 1)
            let timings = try #require(env.hub.servers.timings(userID: alice.id, serverName: ""))
            #expect(timings.total.map { $0 >= .milliseconds(600) } == true)
        }
    }

    @Test("a failing spawner gives 500 with its reason and a clean stop")
    func failingSpawn() async throws {
        try await withServersHub { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            env.spawners.set(.init(address: TestSpawners.address, startFailure: "image not found"))
            let response = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token)
            #expect(response.status == 500)
            #expect(response.message == "Spawn failed: image not found")
            #expect(env.spawners.spawner("alice")?.stopCount == 1)
            let row = try #require(try await env.store.server(userID: alice.id, name: ""))
            #expect(!row.isActive && row.started == nil)
            #expect(try await env.store.oauthClient(identifier: "jupyterhub-user-alice") == nil)
            #expect(env.hub.servers.routing.embeddedTable?.route(forKey: "/user/alice") == nil)
        }
    }

    @Test("start_timeout and a server that never answers both fail the spawn and stop it")
    func timeouts() async throws {
        try await withServersHub(yaml: "Spawner: {start_timeout: 0.2, http_timeout: 0.3}") { env in
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("bob")
            let admin = try await env.harness.createUser("root", admin: true)
            let token = try await env.harness.token(for: admin.name)
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .seconds(5)), for: "alice")
            let slow = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token)
            #expect(slow.status == 500)
            #expect(slow.message == "Spawn failed: Server did not start within 0.2 seconds")
            #expect(env.spawners.spawner("alice")?.stopCount == 1)

            env.network.answer(status: 503)
            let silent = try await env.harness.request(.post, "/hub/api/users/bob/server", token: token)
            #expect(silent.status == 500)
            #expect(silent.message?.hasPrefix("Spawn failed: server never showed up at http://127.0.0.1:9999/user/bob/api after 0.3 seconds") == true)
            #expect(env.spawners.spawner("bob")?.stopCount == 1)
        }
    }

    @Test("stopping a pending spawn cancels it and stops the server")
    func stopWhileSpawning() async throws {
        try await withServersHub(yaml: "JupyterHub: {tornado_settings: {slow_spawn_timeout: 0.05}}") { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .seconds(30)))
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 202)
            let stop = try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token)
            #expect(stop.status == 204)
            #expect(env.spawners.spawner("alice")?.stopCount == 1)
            let row = try #require(try await env.store.server(userID: alice.id, name: ""))
            #expect(!row.isActive)
            env.spawners.spawner("alice")?.setBehavior(.init(address: TestSpawners.address))
            let restart = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token)
            #expect([201, 202].contains(restart.status), "\(restart.text)")
            #expect(try await eventually { try await env.store.server(userID: alice.id, name: "")?.ready == true })
        }
    }

    @Test("a server that died is cleaned up when started again, and by the manager's exit handling")
    func diedServer() async throws {
        try await withServersHub { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            env.spawners.spawner("alice")?.simulateExit(status: 137)
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            #expect(env.spawners.spawner("alice")?.startContexts.count == 2)

            env.spawners.spawner("alice")?.simulateExit(status: 1)
            await env.hub.servers.stopExited(ServerKey(userID: alice.id, name: ""))
            #expect(try await env.store.server(userID: alice.id, name: "")?.isActive == false)
            #expect(env.hub.servers.routing.embeddedTable?.route(forKey: "/user/alice") == nil)
        }
    }

    @Test("stopAll stops every server of a user (for deleting users)")
    func stopAll() async throws {
        try await withServersHub(yaml: "JupyterHub: {allow_named_servers: true}") { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb1", token: token).status == 201)
            #expect(env.hub.servers.counts().active == 2)
            try await env.hub.servers.stopAll(user: alice)
            #expect(env.hub.servers.counts().active == 0)
            #expect(try await env.store.servers(ofUser: alice.id).allSatisfy { !$0.isActive })
        }
    }

    @Test("user options: a body without display_name or user_options is the options; null keeps the stored ones")
    func userOptions() async throws {
        try await withServersHub { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            let start = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token, json: .object(["image": .string("python")]))
            #expect(start.status == 201)
            #expect(env.spawners.spawner("alice")?.startContexts.last?.userOptions == #"{"image":"python"}"#)
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token).status == 204)
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token,
                                                  json: .object(["user_options": .null])).status == 201)
            #expect(env.spawners.spawner("alice")?.startContexts.last?.userOptions == #"{"image":"python"}"#)
            let bad = try await env.harness.request(.post, "/hub/api/users/alice/servers/x", token: token,
                                                    json: .object(["user_options": .string("no")]))
            #expect(bad.status == 400)
            #expect(bad.message == "user_options must be an object or null")
            _ = alice
        }
    }

    @Test("a slow stop answers 202 and shows pending stop; a start meanwhile is a 400")
    func slowStop() async throws {
        try await withServersHub(yaml: "JupyterHub: {tornado_settings: {slow_stop_timeout: 0.05}}") { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            env.spawners.set(.init(address: TestSpawners.address, stopDelay: .milliseconds(800)))
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token).status == 202)
            #expect(try await env.harness.request(.get, "/hub/api/users/alice/server", token: token).json?["pending"] == .string("stop"))
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token).status == 202)
            let start = try await env.harness.request(.post, "/hub/api/users/alice/server", token: token)
            #expect(start.status == 400)
            #expect(start.message == "alice is pending stop")
            #expect(try await eventually { try await env.store.server(userID: alice.id, name: "")?.isActive == false })
            #expect(env.spawners.spawner("alice")?.stopCount == 1)
        }
    }
}
