import HTTP
import Spawners
import Store
import Testing
import class Proxy.RouteTable
@testable import Hub

@Suite("Restoring servers in the background at start-up")
struct ServersRestoreTests {
    @Test("by default the hub serves at once: recorded routes are back before the checks end, dead servers go after")
    func backgroundChecks() async throws {
        try await withServersHub(yaml: "JupyterHub: {cleanup_servers: false}", databaseFile: true) { env in
            let (alice, bob) = try await env.twoServersThenStop()

            // After the restart alice's server does not answer yet (its check keeps probing); bob's has exited.
            let spawners = TestSpawners()
            let network = FakeNetwork()
            network.answer(down: true)
            let restarted = try await env.restart(spawners: spawners, network: network, exited: ["bob"])
            let table = try #require(restarted.servers.routing.embeddedTable)
            // Serving already, with alice's route restored while her check is still waiting for an answer.
            #expect(table.route(forKey: "/user/alice")?.target == "http://127.0.0.1:9999")
            #expect(restarted.servers.pending(userID: alice.id, serverName: "") == .check)

            // Bob's dead server is cleaned up in the background: route, row and credentials.
            let bobCleanedUp = try await eventually {
                let row = try await env.store.server(userID: bob.id, name: "")
                let client = try await env.store.oauthClient(identifier: "jupyterhub-user-bob")
                return row?.isActive == false && table.route(forKey: "/user/bob") == nil && client == nil
            }
            #expect(bobCleanedUp)
            // Once alice's server answers, her check ends: running, still routed, nothing rewritten.
            network.answer()
            #expect(try await eventually { restarted.servers.pending(userID: alice.id, serverName: "") == nil })
            #expect(table.route(forKey: "/user/alice")?.target == "http://127.0.0.1:9999")
            #expect(try await env.store.server(userID: alice.id, name: "")?.ready == true)
            await restarted.stop()
        }
    }
}
