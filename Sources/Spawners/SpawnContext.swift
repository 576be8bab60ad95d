// Everything a spawner needs to start one server, decided by the hub: who, which server, the command and the
// environment (every JUPYTERHUB_* variable is built by the hub, so all spawners agree on it), and resource limits.

/// Memory in bytes and CPU in cores, as JupyterHub's `mem_limit`/`cpu_limit` traits mean them.
public struct ResourceLimits: Sendable, Hashable {
    /// Hard memory cap in bytes.
    public var memLimit: Int64?
    /// Guaranteed memory in bytes.
    public var memGuarantee: Int64?
    /// Hard CPU cap in cores.
    public var cpuLimit: Double?
    /// Guaranteed CPU in cores.
    public var cpuGuarantee: Double?

    /// Limits; `nil` fields are unlimited / not guaranteed.
    public init(memLimit: Int64? = nil, memGuarantee: Int64? = nil, cpuLimit: Double? = nil, cpuGuarantee: Double? = nil) {
        self.memLimit = memLimit; self.memGuarantee = memGuarantee
        self.cpuLimit = cpuLimit; self.cpuGuarantee = cpuGuarantee
    }
}

/// The request to start one single-user server.
public struct SpawnContext: Sendable {
    /// The owner's user name (unescaped).
    public var userName: String
    /// `""` for the default server.
    public var serverName: String
    /// The server's URL prefix, e.g. `/user/alice/` or `/user/alice/nb1/`.
    public var prefix: String
    /// Variables the hub sets (`JUPYTERHUB_*`, `JPY_API_TOKEN`, `MEM_LIMIT`, …), before the operator's.
    public var hubEnvironment: [String: String]
    /// The operator's `Spawner.environment`; it overrides everything, as in JupyterHub.
    public var operatorEnvironment: [String: String]
    /// `Spawner.cmd`; empty = the image's own command (container spawners).
    public var command: [String]
    /// `Spawner.args`, appended to `command`.
    public var arguments: [String]
    /// Where the server should listen; empty host = every interface, port 0 = the spawner picks.
    public var bindHost: String
    public var bindPort: Int
    public var limits: ResourceLimits
    /// The start request's `user_options` as JSON object text.
    public var userOptions: String
    /// How long the hub waits for `start` (spawners with their own waits should give up by then).
    public var startTimeout: Duration
    /// Extra identity facts for name templates (e.g. PAWS's `wiki_user_id`), by template key.
    public var templateValues: [String: String]

    /// A context; see each property for meaning.
    public init(userName: String, serverName: String, prefix: String, hubEnvironment: [String: String],
                operatorEnvironment: [String: String] = [:], command: [String] = [], arguments: [String] = [],
                bindHost: String = "127.0.0.1", bindPort: Int = 0, limits: ResourceLimits = ResourceLimits(),
                userOptions: String = "{}", startTimeout: Duration = .seconds(60), templateValues: [String: String] = [:]) {
        self.userName = userName; self.serverName = serverName; self.prefix = prefix
        self.hubEnvironment = hubEnvironment; self.operatorEnvironment = operatorEnvironment
        self.command = command; self.arguments = arguments; self.bindHost = bindHost; self.bindPort = bindPort
        self.limits = limits; self.userOptions = userOptions; self.startTimeout = startTimeout
        self.templateValues = templateValues
    }

    /// The full argv: `command` then `arguments`.
    public var argv: [String] { command + arguments }

    /// The environment the server process gets once the spawner knows where it will listen:
    /// `JUPYTERHUB_SERVICE_URL` is rebuilt for `host`/`port` (the server binds from it), then the operator's
    /// variables are applied on top.
    public func environment(listeningOn host: String, port: Int) -> [String: String] {
        var env = hubEnvironment
        let shownHost = host.contains(":") ? "[\(host)]" : host
        env["JUPYTERHUB_SERVICE_URL"] = "http://\(shownHost):\(port)\(prefix)"
        for (key, value) in operatorEnvironment { env[key] = value }
        return env
    }

    /// The environment with the requested bind address (`bindHost`/`bindPort`), for spawners that do not pick.
    public var environment: [String: String] {
        environment(listeningOn: bindHost, port: bindPort)
    }
}
