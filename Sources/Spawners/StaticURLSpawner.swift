// For benchmarks and tests only: every "server" is one existing URL (the bench's fake_server.py), so a spawn costs
// the hub's own work and nothing else. Selected with `JupyterHub.spawner_class: static` and `Spawner.static_url`.
import Synchronization

/// A spawner whose servers all live at one fixed address that is already running.
public final class StaticURLSpawner: Spawner {
    private let address: ServerAddress
    private let running = Mutex(false)
    private let log = ProgressLog()

    /// A spawner answering every start with `address`.
    public init(address: ServerAddress) {
        self.address = address
    }

    public func start(_ context: SpawnContext) async throws -> ServerAddress {
        try Task.checkCancellation()
        log.begin()
        log.finish()
        running.withLock { $0 = true }
        return address
    }

    /// Nothing to stop: the URL belongs to someone else.
    public func stop(now: Bool) async throws {
        running.withLock { $0 = false }
    }

    public func poll() async -> Int? { running.withLock { $0 } ? nil : 0 }

    public func progress() -> AsyncStream<SpawnProgress> { log.stream() }

    /// Nothing to persist: the URL comes from configuration.
    public func state() -> SpawnerState { .empty }

    /// The hub loads state only for servers it recorded as running, and a static URL is always up: running.
    public func load(state: SpawnerState) {
        running.withLock { $0 = true }
    }

    public func clearState() {}
}
