// A spawner that starts nothing: it waits, reports progress, and answers with an address the test chose (usually a
// listener the test runs). It lets hub tests drive every lifecycle path — fast, slow, failing, crashing, slow to
// stop — deterministically and without processes. Not selectable from configuration.
import Synchronization

/// A scripted spawner for tests.
public final class InProcessTestSpawner: Spawner {
    /// What the next starts and stops do.
    public struct Behavior: Sendable {
        /// Returned by `start`.
        public var address: ServerAddress
        /// How long `start` takes (progress events are spread over it).
        public var startDelay: Duration
        /// When set, `start` throws `SpawnerError(startFailure)` after `startDelay`.
        public var startFailure: String?
        /// Reported during `start`.
        public var progress: [SpawnProgress]
        /// How long `stop` takes.
        public var stopDelay: Duration
        /// When set, `stop` throws `SpawnerError(stopFailure)` after `stopDelay`.
        public var stopFailure: String?

        /// A behaviour; the defaults start and stop at once.
        public init(address: ServerAddress, startDelay: Duration = .zero, startFailure: String? = nil,
                    progress: [SpawnProgress] = [], stopDelay: Duration = .zero, stopFailure: String? = nil) {
            self.address = address; self.startDelay = startDelay; self.startFailure = startFailure
            self.progress = progress; self.stopDelay = stopDelay; self.stopFailure = stopFailure
        }
    }

    private struct Status {
        var behavior: Behavior
        var running = false
        var exitStatus: Int?
        var contexts: [SpawnContext] = []
        var stops = 0
        var state = SpawnerState.empty
    }

    private let status: Mutex<Status>
    private let log = ProgressLog()

    /// A spawner that behaves as `behavior` says until changed.
    public init(behavior: Behavior) {
        status = Mutex(Status(behavior: behavior))
    }

    /// Changes what later starts and stops do.
    public func setBehavior(_ behavior: Behavior) { status.withLock { $0.behavior = behavior } }

    /// Makes a running server "exit" with `status`, as a crash would; `poll` reports it from now on.
    public func simulateExit(status code: Int) {
        status.withLock { $0.running = false; $0.exitStatus = code }
    }

    /// Every context `start` was called with, oldest first.
    public var startContexts: [SpawnContext] { status.withLock { $0.contexts } }

    /// How many times `stop` was called.
    public var stopCount: Int { status.withLock { $0.stops } }

    public func start(_ context: SpawnContext) async throws -> ServerAddress {
        // The log begins before the start is recorded, so whoever sees the start also sees its events.
        log.begin()
        defer { log.finish() }
        let behavior = status.withLock { status -> Behavior in
            status.contexts.append(context)
            status.exitStatus = nil
            return status.behavior
        }
        let steps = behavior.progress.count
        let pause = steps > 0 ? behavior.startDelay / (steps + 1) : behavior.startDelay
        for event in behavior.progress {
            try await Task.sleep(for: pause)
            log.report(event)
        }
        if pause > .zero { try await Task.sleep(for: pause) }
        try Task.checkCancellation()
        if let failure = behavior.startFailure { throw SpawnerError(failure) }
        status.withLock { status in
            status.running = true
            status.state = SpawnerState(["test_server": .string("\(context.userName)/\(context.serverName)")])
        }
        return behavior.address
    }

    public func stop(now: Bool) async throws {
        let behavior = status.withLock { status -> Behavior in
            status.stops += 1
            return status.behavior
        }
        if behavior.stopDelay > .zero { try await Task.sleep(for: behavior.stopDelay) }
        if let failure = behavior.stopFailure { throw SpawnerError(failure) }
        status.withLock { status in
            if status.running { status.exitStatus = 0 }
            status.running = false
        }
    }

    public func poll() async -> Int? {
        status.withLock { $0.running ? nil : ($0.exitStatus ?? 0) }
    }

    public func progress() -> AsyncStream<SpawnProgress> { log.stream() }

    public func state() -> SpawnerState { status.withLock { $0.state } }

    /// Restored state means "the previous hub started it": the server is treated as still running.
    public func load(state: SpawnerState) {
        status.withLock { status in
            status.state = state
            status.running = !state.isEmpty && status.exitStatus == nil
        }
    }

    public func clearState() { status.withLock { $0.state = .empty } }
}
