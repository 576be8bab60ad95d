import Foundation
import HTTP
import HTTPTypes
import Logging
import Spawners
import Store
import Testing
import class Proxy.ProxyMetrics
import class Proxy.RouteTable
import struct Proxy.ProxyAPI
@testable import Hub

/// A configurable-http-proxy REST API (the Proxy module's) on a real loopback socket.
final class ExternalProxy: Sendable {
    let table = RouteTable()
    let group: EventLoopGroup
    let server: HTTPServer
    let token = "proxy-secret-token"

    init() throws {
        group = try EventLoopGroup(threads: 1)
        var logger = Logger(label: "test.proxy")
        logger.logLevel = .critical
        let handler = ProxyAPI(table: table, authToken: token, metrics: ProxyMetrics(), logger: logger)
        server = HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0), group: group, handler: handler)
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.boundPort)" }

    func close() async {
        await server.shutdown(gracePeriod: .zero)
        group.shutdown()
    }
}

@Suite("The hub's /proxy API and route registrars")
struct ProxyAPITests {
    @Test("GET /proxy lists the hub and server routes as JupyterHub's proxy client reports them")
    func listing() async throws {
        try await withServersHub(yaml: "JupyterHub: {hub_connect_url: 'http://hub:8081'}") { env in
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("b c")
            _ = try await env.harness.createUser("root", admin: true)
            let root = try await env.harness.token(for: "root")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: root).status == 201)
            #expect(try await env.harness.request(.post, "/hub/api/users/b%20c/server", token: root).status == 201)
            let response = try await env.harness.request(.get, "/hub/api/proxy", token: root)
            #expect(response.status == 200)
            let routes = try #require(response.json?.objectValue)
            #expect(Set(routes.keys) == ["/", "/user/alice/", "/user/b%20c/"])
            #expect(routes["/"]?["target"] == .string("http://hub:8081"))
            #expect(routes["/"]?["data"]?["hub"] == .bool(true))
            let alice = try #require(routes["/user/alice/"])
            #expect(alice["routespec"] == .string("/user/alice/"))
            #expect(alice["target"] == .string("http://127.0.0.1:9999"))
            #expect(alice["data"]?["user"] == .string("alice"))
            #expect(alice["data"]?["server_name"] == .string(""))
            #expect(alice["data"]?["last_activity"]?.stringValue?.hasSuffix("Z") == true)
            #expect(routes["/user/b%20c/"]?["data"]?["user"] == .string("b c"))

            let page = try await env.harness.request(.get, "/hub/api/proxy?limit=2", token: root,
                                                     headers: [.accept: "application/jupyterhub-pagination+json", HTTPField.Name("Host")!: "hub.example:8000"])
            let items = try #require(page.json?["items"]?.objectValue)
            #expect(Set(items.keys) == ["/", "/user/alice/"])
            let pagination = try #require(page.json?["_pagination"])
            #expect(pagination["total"] == .int(3))
            #expect(pagination["next"]?["offset"] == .int(2))
            // As JupyterHub's paginated_model: parameters keep the order they came in, absent ones are appended.
            #expect(pagination["next"]?["url"] == .string("http://hub.example:8000/hub/api/proxy?limit=2&offset=2"))
            let last = try await env.harness.request(.get, "/hub/api/proxy?offset=2&limit=2", token: root,
                                                     headers: [.accept: "application/jupyterhub-pagination+json"])
            #expect(last.json?["_pagination"]?["next"] == .null)
            #expect(try await env.harness.request(.get, "/hub/api/proxy?limit=x", token: root).status == 400)
        }
    }

    @Test("POST /proxy re-adds missing routes of ready servers and deletes stale JupyterHub routes")
    func checkRoutes() async throws {
        try await withServersHub { env in
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("root", admin: true)
            let root = try await env.harness.token(for: "root")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: root).status == 201)
            let table = try #require(env.hub.servers.routing.embeddedTable)
            table.remove(key: "/user/alice")
            table.add(key: "/user/ghost", data: [("user", .string("ghost")), ("target", .string("http://x:1")), ("jupyterhub", .bool(true))])
            table.add(key: "/not-ours", data: [("target", .string("http://x:2"))])
            let response = try await env.harness.request(.post, "/hub/api/proxy", token: root)
            #expect(response.status == 200)
            #expect(table.route(forKey: "/user/alice")?.target == "http://127.0.0.1:9999")
            #expect(table.route(forKey: "/user/ghost") == nil)
            #expect(table.route(forKey: "/not-ours") != nil)
        }
    }

    @Test("the CHP client adds, lists and deletes routes on a real configurable-http-proxy API")
    func chpClient() async throws {
        let proxy = try ExternalProxy()
        let http = PooledOutgoingHTTP()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        do {
            let client = CHPRouteRegistrar(apiURL: proxy.url + "/", authToken: proxy.token, http: http, logger: logger)
            let spec = RouteSpec(path: "/user/a%40b%20c/")
            try await client.add(spec, target: "http://10.0.0.5:8888", data: ["user": .string("a@b c"), "server_name": .string("")])
            #expect(proxy.table.route(forKey: "/user/a@b c")?.target == "http://10.0.0.5:8888")
            let routes = try await client.all()
            let route = try #require(routes[RouteSpec(path: "/user/a@b%20c/")])
            #expect(route.owner == .server(user: "a@b c", name: ""))
            #expect(route.data["jupyterhub"] == nil)
            #expect(route.lastActivity != nil)
            try await client.delete(RouteSpec(path: "/user/a@b%20c/"))
            #expect(proxy.table.count == 0)
            try await client.delete(RouteSpec(path: "/user/gone/"))

            let wrong = CHPRouteRegistrar(apiURL: proxy.url, authToken: "wrong-token", http: http, logger: logger)
            await #expect(throws: ProxyError.self) { try await wrong.all() }
        } catch {
            await http.shutdown()
            await proxy.close()
            throw error
        }
        await http.shutdown()
        await proxy.close()
    }

    @Test("PATCH /proxy moves the hub to an external proxy and routes the running servers there")
    func patchToExternal() async throws {
        let proxy = try ExternalProxy()
        let http = PooledOutgoingHTTP()
        do {
            try await withServersHub { env in
                // Probes still go to the fake network; the proxy API goes over the real socket.
                env.hub.servers.routing.use(http: http)
                _ = try await env.harness.createUser("alice")
                _ = try await env.harness.createUser("root", admin: true)
                let root = try await env.harness.token(for: "root")
                #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: root).status == 201)
                #expect(try await env.harness.request(.patch, "/hub/api/proxy", token: root).status == 400)
                let notDict = try await env.harness.request(.patch, "/hub/api/proxy", token: root, json: .array([]))
                #expect(notDict.status == 400)
                #expect(notDict.message == "Request body must be JSON dict")
                let response = try await env.harness.request(.patch, "/hub/api/proxy", token: root, json: .object([
                    "api_url": .string(proxy.url), "auth_token": .string(proxy.token),
                ]))
                #expect(response.status == 200)
                #expect(proxy.table.route(forKey: "/user/alice")?.target == "http://127.0.0.1:9999")
                #expect(proxy.table.route(forKey: "/") != nil)
                // Later starts and stops go to the new proxy.
                #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: root).status == 204)
                #expect(proxy.table.route(forKey: "/user/alice") == nil)
            }
        } catch {
            await http.shutdown()
            await proxy.close()
            throw error
        }
        await http.shutdown()
        await proxy.close()
    }

    @Test("a restarted hub on the same database restores running servers and their routes, and cleans up dead ones")
    func restart() async throws {
        // Waiting for the checks before serving (JupyterHub's default 10 s) makes the outcome visible at once.
        try await withServersHub(yaml: "JupyterHub: {cleanup_servers: false, init_spawners_timeout: 10}", databaseFile: true) { env in
            let (alice, bob) = try await env.twoServersThenStop()
            #expect(try await env.store.server(userID: alice.id, name: "")?.ready == true)

            // The new hub's spawners: alice's server still runs (state restored); bob's has gone away.
            let spawners = TestSpawners()
            let network = FakeNetwork()
            let restarted = try await env.restart(spawners: spawners, network: network, exited: ["bob"])
            let table = try #require(restarted.servers.routing.embeddedTable)
            #expect(table.route(forKey: "/user/alice")?.target == "http://127.0.0.1:9999")
            #expect(table.route(forKey: "/user/bob") == nil)
            #expect(table.route(forKey: "/") != nil)
            #expect(try await env.store.server(userID: alice.id, name: "")?.ready == true)
            let bobRow = try #require(try await env.store.server(userID: bob.id, name: ""))
            #expect(!bobRow.isActive && bobRow.started == nil)
            #expect(try await env.store.oauthClient(identifier: "jupyterhub-user-bob") == nil)
            #expect(try await env.store.oauthClient(identifier: "jupyterhub-user-alice") != nil)
            #expect(network.requests == ["GET http://127.0.0.1:9999/user/alice/api"])
            // The restored server stops normally.
            let token = try await restarted.issueToken(owner: .user(try #require(try await env.store.user(named: "root")).id)).token
            let stop = try await restarted.handler.handle(HTTPServerRequest(head: RequestHead(
                method: .delete, target: "/hub/api/users/alice/server", headers: [.authorization: "token \(token)"])))
            #expect(stop.status == .noContent)
            #expect(spawners.spawner("alice")?.stopCount == 1)
            await restarted.stop()
        }
    }
}
