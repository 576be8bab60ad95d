// The hub's single-user server lifecycle: which servers run, which are starting or stopping, admission limits,
// and the spawners behind them. One lock guards the in-memory slots (cheap bookkeeping only, never held across
// I/O); the slow work — spawner calls, probes, proxy calls, database writes — runs in tasks, so hundreds of
// spawns proceed concurrently, bounded only by `concurrent_spawn_limit`.
import Auth
import Logging
import Spawners
import Store
import Synchronization

/// Who a spawner serves; what a `SpawnerFactory` gets.
public struct SpawnerOwner: Sendable, Hashable {
    public var userID: UserID
    public var userName: String
    public var serverName: String
}

/// Makes the spawner object for one server (called once per server, reused across its restarts).
public typealias SpawnerFactory = @Sendable (SpawnerOwner) -> any Spawner

/// How a spawn ended, as waiting API calls and progress streams see it.
public enum SpawnResult: Sendable, Equatable {
    case ready
    /// The message users see after "Spawn failed: ".
    case failed(String)
    case cancelled
}

/// How a stop ended.
enum StopResult: Sendable, Equatable {
    case stopped
    case failed(String)
}

/// Durations of the last spawn of a server (for spawn-duration metrics).
public struct SpawnTimings: Sendable, Equatable {
    /// From the API request to `Spawner.start` returning.
    public var start: Duration?
    /// From the request to the server answering HTTP.
    public var ready: Duration?
    /// From the request to the proxy route being in place.
    public var total: Duration?
}

/// In-memory state of one server the hub has touched since it started.
struct ServerSlot: Sendable {
    var userName: String
    /// The row as the manager last wrote it (nil between admission and the start's first write).
    var row: Server?
    let spawner: any Spawner
    var pending: PendingAction?
    var ready: Bool
    /// Where the running server listens (the proxy target).
    var address: ServerAddress?
    var spawnTask: Task<Void, Never>?
    /// The current or last spawn's result.
    var spawn: Outcome<SpawnResult>?
    var stop: Outcome<StopResult>?
    var removeAfterStop = false
    var timings = SpawnTimings()
    /// A restored server recorded ready whose route stays up while it is checked (see `restoreServers`).
    var routedWhileChecked = false

    var isActive: Bool { ready || pending != nil }
}

/// Starts, stops, tracks and restores single-user servers.
public final class ServerManager: Sendable {
    /// What the manager calls out to; replaceable for embedding and tests.
    public struct Dependencies: Sendable {
        public var spawnerFactory: SpawnerFactory
        /// Outgoing HTTP for readiness probes (and an external proxy's API).
        public var http: any OutgoingHTTP

        public init(spawnerFactory: @escaping SpawnerFactory, http: any OutgoingHTTP) {
            self.spawnerFactory = spawnerFactory
            self.http = http
        }
    }

    let store: Store
    let configuration: HubConfiguration
    let environment: SpawnEnvironment
    let logger: Logger
    /// The proxy the hub routes servers through.
    public let routing: ProxyRouting
    /// Makes cached identities stale: one user's (their own model changed) or, with nil, everyone's.
    let invalidateIdentities: @Sendable (UserID?) -> Void
    let dependencies: Mutex<Dependencies>
    let slots = Mutex<[ServerKey: ServerSlot]>([:])
    /// Background work by id; each task removes itself when done, `shutdown` cancels the rest.
    let background = Mutex<(next: Int, tasks: [Int: Task<Void, Never>])>((0, [:]))
    /// The client made for production use, shut down with the manager.
    let ownedHTTP: PooledOutgoingHTTP

    init(configuration: HubConfiguration, store: Store, environment: [String: String], logger: Logger,
         invalidateIdentities: @escaping @Sendable (UserID?) -> Void) {
        self.configuration = configuration
        self.store = store
        self.environment = SpawnEnvironment(configuration: configuration, hubEnvironment: environment)
        self.logger = logger
        self.invalidateIdentities = invalidateIdentities
        let http = PooledOutgoingHTTP()
        self.ownedHTTP = http
        self.dependencies = Mutex(Dependencies(spawnerFactory: SpawnerSelection.factory(for: configuration), http: http))
        self.routing = ProxyRouting(configuration: configuration, environment: environment, http: http, logger: logger)
    }

    /// Replaces the spawner factory and outgoing HTTP (tests; embedding with custom spawners). Servers already
    /// known keep their spawner objects.
    public func use(_ replacement: Dependencies) {
        dependencies.withLock { $0 = replacement }
        routing.use(http: replacement.http)
    }

    var current: Dependencies { dependencies.withLock { $0 } }

    /// A write that can change what any token may do (credentials or shares deleted): every cached identity is stale.
    func identitiesChanged() { invalidateIdentities(nil) }

    // MARK: - Questions about servers

    /// The pending action of `user`'s server as the manager knows it (nil when idle or unknown).
    public func pending(userID: UserID, serverName: String) -> PendingAction? {
        slots.withLock { $0[ServerKey(userID: userID, name: serverName)]?.pending }
    }

    /// Timings of the last spawn of a server, if one ran in this process.
    public func timings(userID: UserID, serverName: String) -> SpawnTimings? {
        slots.withLock { $0[ServerKey(userID: userID, name: serverName)]?.timings }
    }

    /// How many spawns are in flight and how many servers are active (running or in transition).
    public func counts() -> (pendingSpawns: Int, active: Int) {
        slots.withLock { slots in
            (slots.values.count { $0.pending == .spawn }, slots.values.count(where: \.isActive))
        }
    }

    /// The spawner object of a known server (tests and diagnostics).
    public func spawner(userID: UserID, serverName: String) -> (any Spawner)? {
        slots.withLock { $0[ServerKey(userID: userID, name: serverName)]?.spawner }
    }

    /// Routes the hub considers its own (for `check_routes`): every ready server's spec and target, and those of
    /// restored servers still being checked that were recorded ready (their routes stay up meanwhile).
    func readyRoutes() -> [(spec: RouteSpec, target: String, user: String, server: String)] {
        let urls = environment.urls
        return slots.withLock { slots in
            slots.compactMap { key, slot in
                let routed = (slot.ready && slot.pending == nil) || (slot.pending == .check && slot.routedWhileChecked)
                guard routed, let address = slot.address else { return nil }
                return (RouteSpec(path: urls.serverURL(user: slot.userName, server: key.name)), address.url,
                        slot.userName, key.name)
            }
        }
    }

    /// Route specs of servers in transition: never treated as stale.
    func pendingRouteSpecs() -> Set<RouteSpec> {
        let urls = environment.urls
        return slots.withLock { slots in
            Set(slots.compactMap { key, slot in
                slot.pending == nil ? nil : RouteSpec(path: urls.serverURL(user: slot.userName, server: key.name))
            })
        }
    }

    // MARK: - Shared steps

    func routeSpec(user: String, server: String) -> RouteSpec {
        RouteSpec(path: environment.urls.serverURL(user: user, server: server))
    }

    /// Runs `body` as a background task owned by the manager (cancelled by `shutdown`).
    func runInBackground(_ body: @escaping @Sendable () async -> Void) {
        background.withLock { state in
            let id = state.next
            state.next += 1
            // Created under the lock, so its own removal (which takes the lock) always comes after the insert.
            state.tasks[id] = Task { [weak self] in
                await body()
                _ = self?.background.withLock { $0.tasks.removeValue(forKey: id) }
            }
        }
    }
}

/// A server in memory: owner id (stable across user renames) and server name.
struct ServerKey: Hashable, Sendable {
    let userID: UserID
    let name: String
}

/// What a progress stream can report about a server right now.
enum ProgressSnapshot: Sendable {
    /// Running and routed.
    case ready
    /// Starting: the spawner's events and the spawn's eventual result.
    case spawning(events: AsyncStream<SpawnProgress>, result: Outcome<SpawnResult>)
    /// The last spawn ended without a running server.
    case ended(SpawnResult)
    /// Not starting and no failure to report.
    case idle
}

extension ServerManager {
    /// The state a progress stream starts from.
    func progressSnapshot(userID: UserID, serverName: String) -> ProgressSnapshot {
        let found = slots.withLock { slots -> (ServerSlot)? in slots[ServerKey(userID: userID, name: serverName)] }
        guard let slot = found else { return .idle }
        if slot.ready, slot.pending == nil { return .ready }
        // An unresolved spawn is still "starting", including the moment its failure is being cleaned up.
        if let outcome = slot.spawn, outcome.value == nil, slot.pending != nil {
            return .spawning(events: slot.spawner.progress(), result: outcome)
        }
        switch slot.spawn?.value {
        case .failed(let message)?: return .ended(.failed(message))
        case .cancelled? where slot.pending == nil: return .ended(.cancelled)
        default: return .idle
        }
    }
}
