// A whole proxy: the public listener, the REST API listener and the optional metrics listener
// around one routing table. `pawshub proxy` runs one; the hub can embed one with the same value.
import HTTP
import HTTPTypes
import Logging

/// The configurable-http-proxy replacement, ready to start.
public final class ProxyServer: Sendable {
    /// The routing table (the hub may also add routes directly).
    public let table: RouteTable
    /// The exported metrics.
    public let metrics = ProxyMetrics()
    let configuration: ProxyConfiguration
    let logger: Logger
    private let state = ServerState()

    /// `table` lets an embedding hub share the route table it maintains with the proxy that serves it.
    public init(configuration: ProxyConfiguration, table: RouteTable = RouteTable(), logger: Logger) {
        self.table = table
        self.configuration = configuration
        self.logger = logger
    }

    /// Bound ports once started (useful with port 0).
    public var publicPort: Int { state.withLock { $0.publicServer?.boundPort ?? 0 } }
    public var apiPort: Int { state.withLock { $0.apiServer?.boundPort ?? 0 } }
    public var metricsPort: Int? { state.withLock { $0.metricsServer?.boundPort } }

    /// Binds every listener and adds `--default-target`; throws if any listener cannot start.
    public func start(group existingGroup: EventLoopGroup? = nil) async throws {
        let group = try existingGroup ?? EventLoopGroup(threads: configuration.threads)
        let client = HTTPClient(group: group, configuration: HTTPClientConfiguration(), logger: logger)
        // Recorded first so `shutdown()` cleans up even when a listener below fails to start.
        state.withLock { $0.group = existingGroup == nil ? group : nil; $0.client = client }
        if let target = configuration.defaultTarget {
            table.add(key: "/", data: [("target", .string(target))])
            logger.info("Route added / -> \(target)")
        }
        let proxy = ProxyHandler(table: table, client: client, configuration: configuration, metrics: metrics, logger: logger)
        let api = ProxyAPI(table: table, authToken: configuration.authToken, hostRouting: configuration.hostRouting,
                           metrics: metrics, logger: logger)

        var publicConfig = serverConfiguration(host: configuration.ip, port: configuration.port)
        publicConfig.idleTimeout = configuration.keepAliveTimeout
        publicConfig.keepAliveHeader = true
        if let timeout = configuration.timeout {
            publicConfig.bodyReadTimeout = timeout
            publicConfig.writeTimeout = timeout
        }
        if let key = configuration.sslKey, let cert = configuration.sslCert {
            publicConfig.tls = TLSConfiguration(certificatePath: cert, privateKeyPath: key)
        }
        let publicServer = HTTPServer(configuration: publicConfig, group: group, handler: proxy, logger: logger)
        try publicServer.start()
        state.withLock { $0.publicServer = publicServer }
        let scheme = configuration.sslKey == nil ? "http" : "https"
        logger.info("Proxying \(scheme)://\(Self.display(configuration.ip)):\(publicServer.boundPort) to \(configuration.defaultTarget ?? "(no default)")")

        guard configuration.apiEnabled else { return try startMetrics(group: group) }
        let apiPort = configuration.apiPort ?? (configuration.port == 0 ? 0 : configuration.port + 1)
        let apiServer = HTTPServer(configuration: serverConfiguration(host: configuration.apiIP, port: apiPort),
                                   group: group, handler: api, logger: logger)
        try apiServer.start()
        state.withLock { $0.apiServer = apiServer }
        logger.info("Proxy API at http://\(Self.display(configuration.apiIP)):\(apiServer.boundPort)/api/routes")
        try startMetrics(group: group)
    }

    /// Starts the metrics listener when a metrics port is configured.
    private func startMetrics(group: EventLoopGroup) throws {
        if let port = configuration.metricsPort {
            let handler = HandlerFunction { [self] request in
                guard request.head.path == "/metrics" else {
                    return HTTPServerResponse(status: .notFound, body: .bytes(Array("Not Found".utf8)))
                }
                return HTTPServerResponse(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                          body: .bytes(Array(metricsText().utf8)))
            }
            let metricsServer = HTTPServer(configuration: serverConfiguration(host: configuration.metricsIP, port: port),
                                           group: group, handler: handler, logger: logger)
            try metricsServer.start()
            state.withLock { $0.metricsServer = metricsServer }
            logger.info("Serve metrics at http://\(Self.display(configuration.metricsIP)):\(metricsServer.boundPort)/metrics")
        }
    }

    /// The Prometheus exposition text for the current state.
    public func metricsText() -> String {
        metrics.render(routes: table.count, connections: state.withLock { $0.publicServer?.connectionCount })
    }

    /// Stops accepting, lets in-flight requests finish for up to `gracePeriod`, then closes everything.
    public func shutdown(gracePeriod: Duration) async {
        let servers = state.withLock { s in [s.publicServer, s.apiServer, s.metricsServer].compactMap { $0 } }
        await withTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { await server.shutdown(gracePeriod: gracePeriod) } }
        }
        let (client, group) = state.withLock { s in
            defer { s.publicServer = nil; s.apiServer = nil; s.metricsServer = nil; s.client = nil; s.group = nil }
            return (s.client, s.group)
        }
        await client?.shutdown()
        group?.shutdown()
    }

    func serverConfiguration(host: String, port: Int) -> ServerConfiguration {
        var c = ServerConfiguration()
        c.host = Self.bindAddress(host)
        c.port = port
        return c
    }

    /// CHP's empty / `*` address means every interface; `localhost` is the IPv4 loopback.
    static func bindAddress(_ host: String) -> String {
        switch host {
        case "", "*": return "::"
        case "localhost": return "127.0.0.1"
        default: return host
        }
    }

    static func display(_ host: String) -> String {
        let bound = bindAddress(host)
        return bound.contains(":") ? "[\(bound)]" : bound
    }
}

/// Mutable parts of a running server, behind a lock.
final class ServerState: @unchecked Sendable {
    struct Values {
        var group: EventLoopGroup?
        var client: HTTPClient?
        var publicServer: HTTPServer?
        var apiServer: HTTPServer?
        var metricsServer: HTTPServer?
    }
    private let lock = PThreadLock()
    private var values = Values()
    func withLock<R>(_ body: (inout Values) -> R) -> R { lock.withLock { body(&values) } }
}
