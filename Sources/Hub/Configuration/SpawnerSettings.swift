/// Traits of the `Spawner` class, shared by every spawner: command, environment, limits, timeouts.
public struct SpawnerSettings: Sendable, Equatable {
    /// The single-user server command (a string is read as a one-item list, like JupyterHub's `Command`);
    /// empty = the image's own command (Kubernetes only).
    public var cmd = ["jupyterhub-singleuser"]
    /// Extra arguments after `cmd`.
    public var args: [String] = []
    /// Extra environment variables for the single-user server.
    public var environment: [String: String] = [:]
    /// How long a server may take to start.
    public var startTimeout: Duration = .seconds(60)
    /// How long a started server may take to answer HTTP.
    public var httpTimeout: Duration = .seconds(30)
    /// How often running servers are polled.
    public var pollInterval: Duration = .seconds(30)
    /// Address the single-user server listens on; empty = every interface.
    public var ip = "127.0.0.1"
    /// Port the single-user server listens on; 0 = the spawner picks one.
    public var port = 0
    /// Page to open in the server (`/lab`).
    public var defaultURL: String?
    /// Directory the server starts in.
    public var notebookDir: String?
    /// Memory limit (`MEM_LIMIT`, Kubernetes limits.memory).
    public var memLimit: ByteSize?
    /// Guaranteed memory (`MEM_GUARANTEE`, Kubernetes requests.memory).
    public var memGuarantee: ByteSize?
    /// CPU limit in cores.
    public var cpuLimit: Double?
    /// Guaranteed CPU in cores.
    public var cpuGuarantee: Double?
    /// Run the single-user server with debug logging.
    public var debug = false
    /// Ignore user-controlled Jupyter configuration in the server.
    public var disableUserConfig = false
    /// For tests and benchmarks (`spawner_class: static`): the URL (`http://host:port`) of an already running
    /// server that every spawn "starts".
    public var staticURL: String?

    public init() {}

    static var traits: [Trait<Self>] {
        [
            // null = no command of our own: Kubernetes then runs the image's entrypoint.
            .typed("cmd", \.cmd, read: { reader, node, path in
                reader.isNull(node) ? [] : reader.stringList(node, path, allowSingle: true)
            }, show: YAMLText.list),
            .stringList("args", \.args),
            .stringMap("environment", \.environment),
            .seconds("start_timeout", \.startTimeout),
            .seconds("http_timeout", \.httpTimeout),
            .seconds("poll_interval", \.pollInterval),
            .string("ip", \.ip),
            .typed("port", \.port, read: { reader, node, path in
                guard let port = reader.int(node, path, minimum: 0) else { return nil }
                guard port <= 65535 else {
                    reader.fail(path, node, "port must be 0–65535, got \(port)")
                    return nil
                }
                return port
            }, show: { String($0) }),
            .optionalString("default_url", \.defaultURL),
            .optionalString("notebook_dir", \.notebookDir),
            .bytes("mem_limit", \.memLimit),
            .bytes("mem_guarantee", \.memGuarantee),
            .optionalDouble("cpu_limit", \.cpuLimit),
            .optionalDouble("cpu_guarantee", \.cpuGuarantee),
            .bool("debug", \.debug),
            .bool("disable_user_config", \.disableUserConfig),
            .optionalString("static_url", \.staticURL),
        ]
    }
}

/// Traits of `LocalProcessSpawner`: how long each stop signal is given.
public struct LocalProcessSpawnerSettings: Sendable, Equatable {
    /// Wait after SIGINT before SIGTERM.
    public var interruptTimeout: Duration = .seconds(10)
    /// Wait after SIGTERM before SIGKILL.
    public var termTimeout: Duration = .seconds(5)
    /// Wait after SIGKILL before giving up.
    public var killTimeout: Duration = .seconds(5)

    public init() {}

    static var traits: [Trait<Self>] {
        [
            .seconds("interrupt_timeout", \.interruptTimeout),
            .seconds("term_timeout", \.termTimeout),
            .seconds("kill_timeout", \.killTimeout),
        ]
    }
}
