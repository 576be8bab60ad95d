import Spawners
import Store
import Testing
@testable import Hub

@Suite("Static spawner configuration (tests and benchmarks)")
struct ServersConfigurationTests {
    @Test("spawner_class static needs Spawner.static_url, and it must be http://host:port")
    func staticURL() throws {
        #expect(configurationErrors("JupyterHub: {spawner_class: static}") == [
            "pawshub.yaml:1: Spawner.static_url: is required when spawner_class is static (the URL every server is)",
        ])
        let bad = configurationErrors("JupyterHub: {spawner_class: static}\nSpawner: {static_url: 'http://h:1/path'}")
        #expect(bad.count == 1)
        #expect(bad.first?.hasPrefix("pawshub.yaml:2: Spawner.static_url: server URL 'http://h:1/path' must be") == true)
        let good = try loadConfiguration("JupyterHub: {spawner_class: static}\nSpawner: {static_url: 'http://127.0.0.1:9999'}")
        #expect(good.jupyterHub.spawnerClass == .static)
        #expect(good.spawner.staticURL == "http://127.0.0.1:9999")
    }

    @Test("spawners that are not built yet fail each spawn with a clear reason instead of stopping the hub")
    func unavailable() async throws {
        let spawner = SpawnerSelection.factory(for: HubConfiguration())(
            SpawnerOwner(userID: UserID(1), userName: "alice", serverName: ""))
        await #expect(throws: SpawnerError("spawner_class local is not available in this PawsHub build yet")) {
            try await spawner.start(SpawnContext(userName: "alice", serverName: "", prefix: "/user/alice/", hubEnvironment: [:]))
        }
    }
}
