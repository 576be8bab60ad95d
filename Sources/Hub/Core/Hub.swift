// The hub application: configuration, database, roles and the per-process state every request
// handler shares. Build it, `start()` it (start-up reconciliation), then serve `handler`.
import Auth
import HTTP
import Logging
import Proxy
import Store
import Synchronization

/// What `POST /hub/api/shutdown` asked for.
public struct ShutdownRequest: Sendable, Equatable {
    /// Also stop the proxy (when the hub started it).
    public var proxy: Bool
    /// Also stop every single-user server.
    public var servers: Bool
    public init(proxy: Bool, servers: Bool) { self.proxy = proxy; self.servers = servers }
}

/// Resolves a hub login cookie to an identity; installed by the pages/login code.
public protocol CookieAuthenticator: Sendable {
    /// The identity the request's login cookie stands for, nil if none; may throw `HubError` (e.g. XSRF 403).
    func identity(for request: HTTPServerRequest, hub: Hub) async throws -> Identity?
}

/// The JupyterHub-compatible hub.
public final class Hub: Sendable {
    /// The JupyterHub version advertised in `X-JupyterHub-Version` and `GET /hub/api`: the REST baseline
    /// PawsHub implements (6.1.1). Single-user servers only warn on a major-version mismatch.
    public static let jupyterHubVersion = "6.1.1"

    public let configuration: HubConfiguration
    public let store: Store
    public let environment: [String: String]
    public let logger: Logger
    /// Scope definitions (built-in; custom scopes would be added here).
    public let scopeHierarchy: ScopeHierarchy
    /// Built-in roles merged with `load_roles`, validated at construction.
    public let roles: LoadedRoles
    /// Batched `last_activity` writes for tokens and their owners.
    public let activity: ActivityRecorder
    /// Single-user servers: spawns, stops, limits, the proxy routes to them.
    public let servers: ServerManager
    /// Activity reported by single-user servers, visible at once and written every `ReportedActivity.flushInterval`.
    public let reportedActivity: ReportedActivity
    let identities: IdentityCache
    let router: Router<APIEndpoint>

    private struct Runtime {
        var cookieSecret: CookieSecret?
        var secretBox: SecretBox?
        var shutdownHandler: (@Sendable (ShutdownRequest) -> Void)?
        var cookieAuthenticator: (any CookieAuthenticator)?
        var bodyCredentialAuthenticator: (any BodyCredentialAuthenticator)?
        var pages: (any HubPages)?
        var embeddedProxy: ProxyServer?
        var observers: [any RequestObserver] = []
        var activityTask: Task<Void, Never>?
        var reportedActivityTask: Task<Void, Never>?
    }
    private let runtime = Mutex(Runtime())

    /// Builds the hub; throws `HubStartupError.configuration` when `load_roles` is invalid.
    public init(configuration: HubConfiguration, store: Store, environment: [String: String] = [:],
                logger: Logger = Logger(label: "pawshub.hub")) throws(HubStartupError) {
        self.configuration = configuration
        self.store = store
        self.environment = environment
        self.logger = logger
        self.scopeHierarchy = .standard
        self.baseURL = configuration.jupyterHub.baseURL
        self.hubPrefix = configuration.jupyterHub.baseURL + "hub/"
        self.apiRoot = hubPrefix + "api"
        self.apiRootSlash = apiRoot + "/"
        self.healthPath = hubPrefix + "health"
        do {
            self.roles = try Roles.load(configuration.jupyterHub.loadRoles.map {
                RoleSpec(name: $0.name, description: $0.description, scopes: $0.scopes,
                         users: $0.users, groups: $0.groups, services: $0.services)
            }, hierarchy: .standard)
        } catch {
            throw HubStartupError.configuration("JupyterHub.load_roles: \(error)")
        }
        self.activity = ActivityRecorder(store: store, logger: logger)
        let identities = IdentityCache()
        self.identities = identities
        self.reportedActivity = ReportedActivity(store: store, logger: logger)
        self.router = APIRoutes.router()
        self.servers = ServerManager(configuration: configuration, store: store, environment: environment, logger: logger,
                                     invalidateIdentities: { user in
                                         if let user { identities.invalidate(user: user) } else { identities.invalidate() }
                                     })
    }

    /// The HTTP entry point for everything under the hub's listener.
    public var handler: any HTTPHandler { HubHandler(hub: self) }

    /// The hub's base URL (`/` or `/prefix/`).
    public let baseURL: String
    /// The hub's own prefix, `<base>hub/`.
    public let hubPrefix: String
    /// The API root, `<base>hub/api`.
    public let apiRoot: String
    let apiRootSlash: String
    let healthPath: String

    /// The cookie signing secret (loaded by `start()`).
    public var cookieSecret: CookieSecret? { runtime.withLock { $0.cookieSecret } }
    /// The auth-state encryption box, nil when no crypt key is configured.
    public var secretBox: SecretBox? { runtime.withLock { $0.secretBox } }

    /// Marks every cached identity stale. Call after any write to roles, groups, memberships, shares,
    /// tokens, users or servers made outside an API request (API writes are covered by the pipeline).
    public func identitiesChanged() { identities.invalidate() }

    /// Installs what `POST /hub/api/shutdown` calls after answering 202 (the serve command's stop).
    public func onShutdown(_ handler: @escaping @Sendable (ShutdownRequest) -> Void) {
        runtime.withLock { $0.shutdownHandler = handler }
    }

    /// Installs cookie authentication for hub requests without an `Authorization` token.
    public func setCookieAuthenticator(_ authenticator: any CookieAuthenticator) {
        runtime.withLock { $0.cookieAuthenticator = authenticator }
    }

    var cookieAuthenticator: (any CookieAuthenticator)? { runtime.withLock { $0.cookieAuthenticator } }

    /// Installs the check for credentials sent in a token request's body (`auth`); none = such requests get 403.
    public func setBodyCredentialAuthenticator(_ authenticator: any BodyCredentialAuthenticator) {
        runtime.withLock { $0.bodyCredentialAuthenticator = authenticator }
    }

    var bodyCredentialAuthenticator: (any BodyCredentialAuthenticator)? { runtime.withLock { $0.bodyCredentialAuthenticator } }
    /// Installs the handler for hub pages (without one, pages answer an HTML 404).
    public func setPages(_ pages: any HubPages) {
        runtime.withLock { $0.pages = pages }
    }

    /// Adds an observer of every finished request.
    public func addRequestObserver(_ observer: any RequestObserver) {
        runtime.withLock { $0.observers.append(observer) }
    }

    var pages: (any HubPages)? { runtime.withLock { $0.pages } }

    /// Records the in-process proxy whose route table the hub maintains (`proxy_class: embedded`).
    public func useEmbeddedProxy(_ proxy: ProxyServer) {
        runtime.withLock { $0.embeddedProxy = proxy }
    }

    /// The in-process proxy, nil when an external proxy is used (or in tests without one).
    public var embeddedProxy: ProxyServer? { runtime.withLock { $0.embeddedProxy } }
    var requestObservers: [any RequestObserver] { runtime.withLock { $0.observers } }

    /// Asks the installed shutdown handler to stop the process; false when none is installed.
    func requestShutdown(_ request: ShutdownRequest) -> Bool {
        guard let handler = runtime.withLock({ $0.shutdownHandler }) else { return false }
        handler(request)
        return true
    }

    func install(cookieSecret: CookieSecret, secretBox: SecretBox?) {
        runtime.withLock { $0.cookieSecret = cookieSecret; $0.secretBox = secretBox }
    }

    func startBackgroundWork() {
        let recorder = activity
        let task = Task { await recorder.run() }
        let previous = runtime.withLock { state -> Task<Void, Never>? in
            defer { state.activityTask = task }
            return state.activityTask
        }
        previous?.cancel()
        let reports = reportedActivity
        let reportsTask = Task { await reports.run() }
        runtime.withLock { state -> Task<Void, Never>? in
            defer { state.reportedActivityTask = reportsTask }
            return state.reportedActivityTask
        }?.cancel()
    }

    /// Stops background work (and single-user servers when `cleanup_servers`) and writes pending activity.
    public func stop() async {
        await servers.shutdown(stopServers: configuration.jupyterHub.cleanupServers)
        let task = runtime.withLock { state -> Task<Void, Never>? in
            defer { state.activityTask = nil }
            return state.activityTask
        }
        if let task {
            task.cancel()
            await task.value
        }
        await activity.flush()
        let reportsTask = runtime.withLock { state -> Task<Void, Never>? in
            defer { state.reportedActivityTask = nil }
            return state.reportedActivityTask
        }
        if let reportsTask {
            reportsTask.cancel()
            await reportsTask.value
        }
        await reportedActivity.flush()
    }
}

/// Why the hub could not start: a configuration problem (exit 2) or a runtime failure (exit 1).
public enum HubStartupError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    case runtime(String)

    public var description: String {
        switch self {
        case .configuration(let m), .runtime(let m): return m
        }
    }
}
