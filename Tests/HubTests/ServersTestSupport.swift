// Shared pieces for the servers tests: scripted spawners per server, a fake network for readiness probes, and a
// harness wrapper that installs both before any request.
import Foundation
import HTTP
import HTTPTypes
import Logging
import Spawners
import Store
import Testing
import Synchronization
@testable import Hub

/// Answers the hub's outgoing calls in-process: probes succeed unless told otherwise.
final class FakeNetwork: OutgoingHTTP {
    private struct State {
        var status = 200
        var down = false
        var requests: [String] = []
    }
    private let state = Mutex(State())

    /// Every probe from now on answers `status` (or fails to connect when `down`).
    func answer(status: Int = 200, down: Bool = false) {
        state.withLock { $0.status = status; $0.down = down }
    }

    var requests: [String] { state.withLock { $0.requests } }

    func send(_ method: HTTPRequest.Method, url: String, headers: HTTPFields, body: [UInt8],
              timeout: Duration) async throws -> OutgoingResponse {
        let (status, down) = state.withLock { state -> (Int, Bool) in
            state.requests.append("\(method.rawValue) \(url)")
            return (state.status, state.down)
        }
        if down { throw HTTPClientError.connectFailed("connection refused") }
        var fields = HTTPFields()
        fields[HTTPField.Name("X-JupyterHub-Version")!] = "6.1.1"
        return OutgoingResponse(status: status, headers: fields)
    }
}

/// Makes an `InProcessTestSpawner` per server and keeps them for inspection; behaviour per user is scriptable.
final class TestSpawners: Sendable {
    static let address = try! ServerAddress(url: "http://127.0.0.1:9999")  // literal, always valid
    private struct State {
        var byServer: [String: InProcessTestSpawner] = [:]
        var behaviors: [String: InProcessTestSpawner.Behavior] = [:]
        var defaultBehavior = InProcessTestSpawner.Behavior(address: TestSpawners.address)
    }
    private let state = Mutex(State())

    /// Behaviour for spawners created later (all users, or only `user`).
    func set(_ behavior: InProcessTestSpawner.Behavior, for user: String? = nil) {
        state.withLock { state in
            if let user { state.behaviors[user] = behavior } else { state.defaultBehavior = behavior }
        }
    }

    /// The spawner of `user/server`, if one was made.
    func spawner(_ user: String, _ server: String = "") -> InProcessTestSpawner? {
        state.withLock { $0.byServer["\(user)/\(server)"] }
    }

    var factory: SpawnerFactory {
        { owner in
            self.state.withLock { state in
                let spawner = InProcessTestSpawner(behavior: state.behaviors[owner.userName] ?? state.defaultBehavior)
                state.byServer["\(owner.userName)/\(owner.serverName)"] = spawner
                return spawner
            }
        }
    }
}

/// A started hub with test spawners and a fake network.
struct ServersHub {
    let harness: HubHarness
    let spawners: TestSpawners
    let network: FakeNetwork

    var hub: Hub { harness.hub }
    var store: Store { harness.store }
}

/// Runs `body` with a hub whose servers are `InProcessTestSpawner`s answering probes through `FakeNetwork`.
func withServersHub<T>(yaml: String = "", databaseFile: Bool = false,
                       _ body: (ServersHub) async throws -> T) async throws -> T {
    try await withHub(yaml: yaml, databaseFile: databaseFile) { harness in
        let spawners = TestSpawners()
        let network = FakeNetwork()
        harness.hub.servers.use(ServerManager.Dependencies(spawnerFactory: spawners.factory, http: network))
        return try await body(ServersHub(harness: harness, spawners: spawners, network: network))
    }
}

extension ServersHub {
    /// The restart tests' starting point: users alice and bob (and an admin) with running default servers,
    /// then this hub stopped (with `cleanup_servers: false` their rows stay recorded as running).
    func twoServersThenStop() async throws -> (alice: User, bob: User) {
        let alice = try await harness.createUser("alice")
        let bob = try await harness.createUser("bob")
        _ = try await harness.createUser("root", admin: true)
        let root = try await harness.token(for: "root")
        #expect(try await harness.request(.post, "/hub/api/users/alice/server", token: root).status == 201)
        #expect(try await harness.request(.post, "/hub/api/users/bob/server", token: root).status == 201)
        await hub.stop()
        return (alice, bob)
    }

    /// A second hub on the same store and configuration (the first one stopped), with fresh test spawners; the
    /// servers of `exited` users report that their process has gone. Started before it is returned.
    func restart(spawners: TestSpawners, network: FakeNetwork, exited: Set<String> = []) async throws -> Hub {
        let restarted = try Hub(configuration: hub.configuration, store: store, environment: hub.environment,
                                logger: hub.logger)
        restarted.servers.use(ServerManager.Dependencies(spawnerFactory: { owner in
            let spawner = spawners.factory(owner)
            if exited.contains(owner.userName), let test = spawner as? InProcessTestSpawner { test.simulateExit(status: 0) }
            return spawner
        }, http: network))
        try await restarted.start()
        return restarted
    }
}

/// Polls `condition` every 10 ms for up to `timeout`.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

extension HarnessResponse {
    /// The `message` of a JSON error body.
    var message: String? { json?["message"]?.stringValue }
}

/// Parses an SSE body into its JSON events (blank keep-alive lines ignored).
func sseEvents(_ text: String) -> [JSONValue] {
    text.components(separatedBy: "\n\n").compactMap { block in
        guard block.hasPrefix("data: ") else { return nil }
        return try? JSONValue.parse(String(block.dropFirst(6)))
    }
}
