// `JupyterHub.spawner_class` → the spawner objects the manager uses. The local-process and Kubernetes spawners
// are not built yet; choosing them still starts the hub (so the API, logins and the proxy work) and every spawn
// fails with a message saying so, instead of the hub refusing to start.
import Spawners

enum SpawnerSelection {
    /// The factory for the configured spawner class.
    static func factory(for configuration: HubConfiguration) -> SpawnerFactory {
        switch configuration.jupyterHub.spawnerClass {
        case .static:
            // Validated at configuration load; a bad value here can only come from code building the value.
            guard let text = configuration.spawner.staticURL, let address = try? ServerAddress(url: text) else {
                return { _ in UnavailableSpawner(reason: "Spawner.static_url is not a valid http://host:port URL") }
            }
            return { _ in StaticURLSpawner(address: address) }
        case .local, .kubernetes:
            let name = configuration.jupyterHub.spawnerClass.rawValue
            return { _ in UnavailableSpawner(reason: "spawner_class \(name) is not available in this PawsHub build yet") }
        }
    }
}

/// A spawner that cannot start anything and says why.
final class UnavailableSpawner: Spawner {
    let reason: String
    private let log = ProgressLog()

    init(reason: String) { self.reason = reason }

    func start(_ context: SpawnContext) async throws -> ServerAddress { throw SpawnerError(reason) }
    func stop(now: Bool) async throws {}
    func poll() async -> Int? { 0 }
    func progress() -> AsyncStream<SpawnProgress> { log.stream() }
    func state() -> SpawnerState { .empty }
    func load(state: SpawnerState) {}
    func clearState() {}
}
