// `pawshub serve`: load configuration, open and migrate the database, start the hub, listen, and
// stop gracefully on SIGTERM/SIGINT or `POST /hub/api/shutdown`.
import Auth
import HTTP
import Logging
import Proxy
import Store

/// The logic of `pawshub serve`.
public enum ServeProcess {
    /// How long in-flight requests may finish after a stop is requested.
    static let gracePeriod: Duration = .seconds(10)

    private enum StopReason: Sendable { case signal(Int32), api(ShutdownRequest), failed(String) }

    /// Runs the hub until stopped; returns the exit code (0 clean stop, 1 runtime failure, 2 configuration).
    /// `onListening` receives the bound public and hub ports (tests bind port 0).
    public static func run(file: String?, environment: [String: String],
                           onListening: @Sendable (_ publicPort: Int, _ hubPort: Int) -> Void = { _, _ in }) async -> Int32 {
        let configuration: HubConfiguration
        do {
            configuration = try HubConfiguration.load(file: file, environment: environment)
        } catch {
            emit(error.description)
            return 2
        }
        MemoryPolicy.limitArenas()
        let logger = Logger(label: "pawshub.hub")
        let settings = configuration.jupyterHub
        // Install the signal handlers before anything slow, so an early SIGTERM still stops us cleanly.
        do { try TerminationSignal.install() } catch {
            emit("Cannot install signal handlers: \(error)")
            return 1
        }
        let store: Store
        do {
            store = try Store(path: settings.databaseURL.path)
        } catch {
            emit("Database \(settings.databaseURL.path): \(error)")
            return 1
        }
        let hub: Hub
        var proxy: ProxyServer? = nil
        do {
            hub = try Hub(configuration: configuration, store: store, environment: environment, logger: logger)
            if settings.proxyClass == .embedded {
                // Installed before start-up so route reconciliation can use its table from the first moment.
                // The proxy serves from the table the server manager maintains, so spawned servers are routed.
                let embedded = ProxyServer(configuration: try embeddedProxyConfiguration(configuration),
                                           table: hub.servers.routing.embeddedTable ?? RouteTable(),
                                           logger: Logger(label: "pawshub.proxy"))
                hub.useEmbeddedProxy(embedded)
                proxy = embedded
            }
            try await hub.start()
        } catch let error as HubStartupError {
            emit(error.description)
            if case .configuration = error { return 2 }
            return 1
        } catch {
            emit("Embedded proxy: \(error)")
            return 2
        }

        let group: EventLoopGroup
        do { group = try EventLoopGroup() } catch {
            emit("Cannot start event loops: \(error)")
            await hub.stop()
            return 1
        }
        var servers: [HTTPServer] = []
        let (stops, stopper) = AsyncStream<StopReason>.makeStream()
        hub.onShutdown { stopper.yield(.api($0)) }
        do {
            let hubServer = HTTPServer(configuration: listener(settings.hubBindURL), group: group, handler: hub.handler)
            try hubServer.start()
            servers.append(hubServer)
            logger.info("Hub API listening on \(display(settings.hubBindURL, port: hubServer.boundPort))hub/")
            var publicPort = hubServer.boundPort
            if let proxy {
                try await proxy.start(group: group)
                publicPort = proxy.publicPort
            } else {
                // The external proxy owns the public URL; routes reach it through its REST API.
                logger.info("Using the external proxy at \(configuration.configurableHTTPProxy.apiURL)")
            }
            logger.info("JupyterHub is now running at \(display(settings.bindURL, port: publicPort))")
            onListening(publicPort, hubServer.boundPort)
        } catch {
            emit("Cannot listen: \(error)")
            await proxy?.shutdown(gracePeriod: .zero)
            for server in servers { await server.shutdown(gracePeriod: .zero) }
            await hub.stop()
            group.shutdown()
            return 1
        }

        // Start-up (configuration sync, restored servers) leaves freed heap behind: give it back now, and keep
        // doing so while serving.
        MemoryPolicy.trim()
        let trimTask = Task { await MemoryPolicy.releasePeriodically(store) }
        let signalTask = Task {
            do { stopper.yield(.signal(try await TerminationSignal.wait(on: group.loops[0]))) } catch {
                stopper.yield(.failed("signal wait failed: \(error)"))
            }
        }
        var exitCode: Int32 = 0
        for await reason in stops {
            switch reason {
            case .signal(let number): logger.info("Received signal \(number), stopping")
            case .api(let request): logger.info("Shutdown requested through the API", metadata: ["servers": "\(request.servers)", "proxy": "\(request.proxy)"])
            case .failed(let why): logger.error("\(why)"); exitCode = 1
            }
            break
        }
        signalTask.cancel()
        trimTask.cancel()
        await proxy?.shutdown(gracePeriod: gracePeriod)
        for server in servers { await server.shutdown(gracePeriod: gracePeriod) }
        await hub.stop()
        group.shutdown()
        logger.info("Hub stopped")
        return exitCode
    }

    private static func listener(_ url: BindURL) -> ServerConfiguration {
        ServerConfiguration(host: url.host.isEmpty ? "0.0.0.0" : url.host, port: url.port)
    }

    /// The in-process proxy: public listener on `bind_url`, everything (`/`) routed to the hub. No REST
    /// API listener: the hub drives its route table directly (`Hub.embeddedProxy`), so there is no
    /// extra port to conflict or to guard.
    private static func embeddedProxyConfiguration(_ configuration: HubConfiguration) throws(ProxyConfigurationError) -> ProxyConfiguration {
        let settings = configuration.jupyterHub
        var proxy = ProxyConfiguration()
        proxy.ip = settings.bindURL.host
        proxy.port = settings.bindURL.port
        proxy.apiEnabled = false
        let hubHost = settings.hubBindURL.host
        let target = ["", "0.0.0.0", "::"].contains(hubHost) ? "127.0.0.1" : hubHost
        proxy.defaultTarget = "http://\(target.contains(":") ? "[\(target)]" : target):\(settings.hubBindURL.port)"
        try proxy.validate()
        return proxy
    }

    private static func display(_ url: BindURL, port: Int) -> String {
        let host = url.host.isEmpty || url.host == "0.0.0.0" ? "127.0.0.1" : url.host
        return "\(url.scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(url.basePath)"
    }

    /// One line on standard error (before logging is relevant: configuration and start-up failures).
    static func emit(_ message: String) {
        let text = message.hasSuffix("\n") ? message : message + "\n"
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}

import Glibc
