import Yams

/// Which login method the hub uses.
public enum AuthenticatorClass: String, Sendable, CaseIterable {
    /// MediaWiki OAuth 1.0a (what PAWS uses).
    case mediawiki
    /// MediaWiki OAuth 2.0 with PKCE.
    case mediawikiOAuth2 = "mediawiki-oauth2"
    /// Development login that accepts any name; refused unless the hub listens on loopback only.
    case dummy
}

/// Where single-user servers run.
public enum SpawnerClass: String, Sendable, CaseIterable {
    /// Pods through the Kubernetes API, as KubeSpawner.
    case kubernetes
    /// Local processes, as LocalProcessSpawner.
    case local
    /// For tests and benchmarks only: every server is the one already running `Spawner.static_url`.
    case `static`
}

/// Which proxy routes public traffic.
public enum ProxyClass: String, Sendable, CaseIterable {
    /// The proxy built into the hub process.
    case embedded
    /// An external configurable-http-proxy (or `pawshub proxy`) driven through its REST API.
    case configurableHTTPProxy = "configurable-http-proxy"
}

/// Log verbosity, spelled as Python's logging levels (JupyterHub's `Application.log_level`).
public enum LogLevel: String, Sendable, CaseIterable {
    case debug = "DEBUG", info = "INFO", warning = "WARNING", warn = "WARN", error = "ERROR", critical = "CRITICAL"
}

/// Traits of the `JupyterHub` class: listeners, database, classes, limits, services and roles.
public struct JupyterHubSettings: Sendable, Equatable {
    /// Public URL the proxy serves; its path is the hub's base URL.
    public var bindURL = BindURL(scheme: "http", host: "127.0.0.1", port: 8000, basePath: "/")
    /// The hub's own listener (API and pages), proxied at `<base>hub/`.
    public var hubBindURL = BindURL(scheme: "http", host: "127.0.0.1", port: 8081, basePath: "/")
    /// How single-user servers and services reach the hub; nil means derive it from `hubBindURL`.
    public var hubConnectURL: BindURL?
    /// The SQLite database.
    public var databaseURL = DatabaseURL(path: "pawshub.sqlite", url: "sqlite:///pawshub.sqlite")
    /// File holding the cookie secret (64 hex characters, mode 0600, created when missing).
    public var cookieSecretFile = "jupyterhub_cookie_secret"
    /// Cookie secret given directly (wins over the file), as the z2jh chart's `JupyterHub.cookie_secret`.
    public var cookieSecret: Secret?
    /// How long a login cookie is accepted, in days.
    public var cookieMaxAgeDays: Double = 14
    public var authenticatorClass = AuthenticatorClass.dummy
    public var spawnerClass = SpawnerClass.local
    public var proxyClass = ProxyClass.embedded
    public var allowNamedServers = false
    /// 0 = unlimited.
    public var namedServerLimitPerUser = 0
    /// Spawns in flight at once before new ones get 429; 0 = unlimited.
    public var concurrentSpawnLimit = 100
    /// PawsHub's addition: how long a start request over `concurrent_spawn_limit` waits for a spawn in flight to finish before it gets the 429. The limit holds all the same (never more
    /// than that many spawns in flight); a burst of quick spawns is queued instead of bounced. 0 = JupyterHub's
    /// immediate 429.
    public var spawnThrottleWait: Duration = .seconds(2)
    /// Running servers before new spawns get 429; 0 = unlimited.
    public var activeServerLimit = 0
    /// Failed spawns in a row before the hub exits; 0 = never.
    public var consecutiveFailureLimit = 0
    /// How often activity is read from the proxy.
    public var lastActivityInterval: Duration = .seconds(300)
    /// Stop every single-user server when the hub shuts down (z2jh turns this off).
    public var cleanupServers = true
    /// Admins may reach other users' servers.
    public var adminAccess = false
    /// `/hub/metrics` needs a token with `read:metrics`.
    public var authenticatePrometheus = true
    /// Stop the user's servers when they log out.
    public var shutdownOnLogout = false
    /// Send users to their own server after login.
    public var redirectToServer = true
    /// Path under the user's server to open by default (`/lab`).
    public var defaultURL: String?
    /// Logo shown on hub pages.
    public var logoFile: String?
    /// Extra variables for page templates (PAWS's `announcement`).
    public var templateVars: [String: String] = [:]
    /// Seconds a spawn may take before the API answers 202 instead of waiting.
    public var slowSpawnTimeout: Duration = .seconds(10)
    /// Seconds a stop may take before the API answers 202 instead of waiting.
    public var slowStopTimeout: Duration = .seconds(10)
    /// How long start-up waits for existing servers to be checked before serving. JupyterHub waits 10 s by
    /// default; PawsHub puts the recorded routes back before serving, so users reach running servers while the
    /// checks run, and defaults to serving at once (0) with every check (and its clean-up) in the background.
    public var initSpawnersTimeout: Duration = .zero
    /// Longest lifetime, in seconds, a token requested through the API may have; 0 = no limit.
    public var tokenExpiresInMaxSeconds = 0
    public var logLevel = LogLevel.info
    /// Services known to the hub (tokens, OAuth clients, URLs).
    public var services: [ServiceDefinition] = []
    /// Roles created or given members at start-up.
    public var loadRoles: [RoleDefinition] = []

    public init() {}

    /// The hub's base URL (`/` or `/prefix/`), taken from `bind_url` as JupyterHub does.
    public var baseURL: String { bindURL.basePath }

    /// How servers reach the hub: `hub_connect_url`, else `hub_bind_url` with a wildcard host made loopback.
    public var effectiveHubConnectURL: BindURL {
        if let hubConnectURL { return hubConnectURL }
        let wildcard = ["", "0.0.0.0", "::"].contains(hubBindURL.host)
        return BindURL(scheme: hubBindURL.scheme, host: wildcard ? "127.0.0.1" : hubBindURL.host,
                       port: hubBindURL.port, basePath: hubBindURL.basePath)
    }
}

extension JupyterHubSettings {
    static var traits: [Trait<Self>] {
        [
            .url("bind_url", \.bindURL),
            .url("hub_bind_url", \.hubBindURL),
            .optionalURL("hub_connect_url", \.hubConnectURL),
            .typed("db_url", \.databaseURL, read: { $0.databaseURL($1, $2) }, show: { YAMLText.scalar($0.url) }),
            .string("cookie_secret_file", \.cookieSecretFile),
        ] + Trait.secret("cookie_secret", \.cookieSecret) + [
            .double("cookie_max_age_days", \.cookieMaxAgeDays),
            .choice("authenticator_class", \.authenticatorClass),
            .choice("spawner_class", \.spawnerClass),
            .choice("proxy_class", \.proxyClass),
            .bool("allow_named_servers", \.allowNamedServers),
            .int("named_server_limit_per_user", \.namedServerLimitPerUser),
            .int("concurrent_spawn_limit", \.concurrentSpawnLimit),
            .seconds("spawn_throttle_wait", \.spawnThrottleWait),
            .int("active_server_limit", \.activeServerLimit),
            .int("consecutive_failure_limit", \.consecutiveFailureLimit),
            .seconds("last_activity_interval", \.lastActivityInterval),
            .bool("cleanup_servers", \.cleanupServers),
            .bool("admin_access", \.adminAccess),
            .bool("authenticate_prometheus", \.authenticatePrometheus),
            .bool("shutdown_on_logout", \.shutdownOnLogout),
            .bool("redirect_to_server", \.redirectToServer),
            .optionalString("default_url", \.defaultURL),
            .optionalString("logo_file", \.logoFile),
            .stringMap("template_vars", \.templateVars),
            Trait("tornado_settings", apply: { settings, node, path, reader in
                reader.apply(TornadoSettings.traits, section: path, node: node, to: &settings)
            }, render: { settings in
                "{slow_spawn_timeout: \(YAMLText.seconds(settings.slowSpawnTimeout)), "
                    + "slow_stop_timeout: \(YAMLText.seconds(settings.slowStopTimeout))}"
            }),
            .seconds("init_spawners_timeout", \.initSpawnersTimeout),
            .int("token_expires_in_max_seconds", \.tokenExpiresInMaxSeconds),
            .choice("log_level", \.logLevel),
            Trait("services", apply: { settings, node, path, reader in
                if let services = reader.services(node, path) { settings.services = services }
            }, render: { YAMLText.services($0.services) }),
            Trait("load_roles", apply: { settings, node, path, reader in
                if let roles = reader.roles(node, path) { settings.loadRoles = roles }
            }, render: { YAMLText.roles($0.loadRoles) }),
        ]
    }
}

/// The two `tornado_settings` keys PawsHub honours; other Tornado settings have no meaning here.
enum TornadoSettings {
    static var traits: [Trait<JupyterHubSettings>] {
        [
            .seconds("slow_spawn_timeout", \.slowSpawnTimeout),
            .seconds("slow_stop_timeout", \.slowStopTimeout),
        ]
    }
}

extension ConfigReader {
    /// A SQLAlchemy-style SQLite URL.
    func databaseURL(_ node: Yams.Node, _ path: String) -> DatabaseURL? {
        guard let text = nonEmptyString(node, path) else { return nil }
        switch DatabaseURL.parse(text) {
        case .success(let url): return url
        case .failure(let problem):
            fail(path, node, problem.reason)
            return nil
        }
    }
}
