// The one protocol every place a single-user server can run implements (in-process test servers, a fixed URL,
// later local processes and Kubernetes pods). The hub owns one spawner object per server row and drives it:
// start → (poll while running) → stop; state is persisted between hub restarts so a new spawner object can find
// a server the old hub started (a pod name, a pid).

/// Runs one single-user server (one user's default or named server).
///
/// The hub calls `start` at most once at a time and never concurrently with `stop`, except that it cancels the
/// task running `start` before calling `stop` when a pending spawn is aborted; implementations must therefore
/// treat task cancellation in `start` as "give up and leave things stoppable".
public protocol Spawner: AnyObject, Sendable {
    /// Starts the server described by `context` and returns where it listens.
    ///
    /// Throwing (or being cancelled) means the start failed; the hub then calls `stop(now: true)` to clean up,
    /// so a half-started server must be stoppable.
    func start(_ context: SpawnContext) async throws -> ServerAddress

    /// Stops the server; `now` skips any graceful period. Stopping a server that is not running succeeds.
    func stop(now: Bool) async throws

    /// `nil` while the server runs, else its exit status (0 when unknown).
    func poll() async -> Int?

    /// Progress events of the start in flight, replayed from its beginning; the stream finishes when the start
    /// returns or fails. Called once per progress listener, so it must hand out a fresh stream each time.
    func progress() -> AsyncStream<SpawnProgress>

    /// What a restarted hub needs to find this server again (pod name, pid); persisted by the hub after start.
    func state() -> SpawnerState

    /// Restores `state` saved by an earlier hub; called before `poll` on a spawner created at hub start.
    func load(state: SpawnerState)

    /// Forgets persisted state after a stop, so the next start begins clean.
    func clearState()

    /// Where the running server listens now, when that can change without a restart (a rescheduled pod); `nil`
    /// means "unchanged since start".
    func currentAddress() async -> ServerAddress?
}

extension Spawner {
    /// Most spawners cannot move a running server.
    public func currentAddress() async -> ServerAddress? { nil }
}

/// Why a spawner could not start or stop a server; the message is shown to the user ("Spawn failed: …").
public struct SpawnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short human-readable reason.
    public var message: String

    /// An error with `message` as the reason users see.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
