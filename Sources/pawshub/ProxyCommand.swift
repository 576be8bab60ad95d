// `pawshub proxy`: a drop-in for the `configurable-http-proxy` command line. Every value is
// taken as text and checked here, so any mistake ends in one clear line and exit status 2
// (ArgumentParser's own errors would print usage and exit 64).
import ArgumentParser
import CSystem
import Dispatch
import Glibc
import HTTP
import Logging
import Proxy

struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the proxy alone, a drop-in for configurable-http-proxy (token from CONFIGPROXY_AUTH_TOKEN)."
    )

    @Option(help: "Public-facing IP of the proxy ('' or '*' = all interfaces).") var ip: String?
    @Option(help: "Public-facing port of the proxy (default 8000; 0 = any free port).") var port: String?
    @Option(name: .customLong("api-ip"), help: "Inward-facing IP for the REST API (default localhost).") var apiIP: String?
    @Option(name: .customLong("api-port"), help: "Inward-facing port for the REST API (default port + 1).") var apiPort: String?
    @Option(name: .customLong("default-target"), help: "Default proxy target (route /).") var defaultTarget: String?
    @Option(name: .customLong("error-target"), help: "Target for error pages: GET <target>/<code>?url=<url>.") var errorTarget: String?
    @Option(name: .customLong("error-path"), help: "Directory of <code>.html / error.html error pages.") var errorPath: String?
    @Option(help: "Client socket timeout per request, in milliseconds.") var timeout: String?
    @Option(name: .customLong("proxy-timeout"), help: "Upstream response timeout, in milliseconds.") var proxyTimeout: String?
    @Option(name: .customLong("keep-alive-timeout"), help: "Client keep-alive timeout in milliseconds (default 5000).") var keepAliveTimeout: String?
    @Flag(name: .customLong("host-routing"), help: "Route on the Host header as the first path segment.") var hostRouting = false
    @Flag(name: .customLong("no-x-forward"), help: "Don't add X-Forwarded-* headers.") var noXForward = false
    @Flag(name: .customLong("no-include-prefix"), help: "Strip the route prefix from forwarded paths.") var noIncludePrefix = false
    @Flag(name: .customLong("no-prepend-path"), help: "Don't prepend the target's path to forwarded paths.") var noPrependPath = false
    @Option(name: .customLong("custom-header"), help: "Header 'name: value' added to proxied requests (repeatable).") var customHeader: [String] = []
    @Option(name: .customLong("metrics-ip"), help: "IP for the Prometheus metrics listener (default all).") var metricsIP: String?
    @Option(name: .customLong("metrics-port"), help: "Port for Prometheus metrics (off unless set).") var metricsPort: String?
    @Option(name: .customLong("ssl-key"), help: "PEM private key for HTTPS on the public port.") var sslKey: String?
    @Option(name: .customLong("ssl-cert"), help: "PEM certificate for HTTPS on the public port.") var sslCert: String?
    @Option(name: .customLong("log-level"), help: "debug, info, warn or error (default info).") var logLevel: String?
    @Option(name: .customLong("pid-file"), help: "Write the process id to this file (removed on exit).") var pidFile: String?
    @Argument(parsing: .allUnrecognized, help: .hidden) var unrecognized: [String] = []

    func run() async throws {
        let configuration: ProxyConfiguration
        let level: Logger.Level
        do {
            (configuration, level) = try makeConfiguration()
        } catch {
            FileHandleStderr.write("pawshub proxy: \(error)\n")
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { _ in ProxyLogHandler(level: level) }
        let logger = Logger(label: "ConfigProxy")
        if configuration.authToken == nil {
            logger.warning("REST API is not authenticated.")
        }
        // Signals are caught before anything starts so an early SIGTERM still stops gracefully.
        let signals = SignalWaiter()
        if let pidFile = configuration.pidFile, !PidFile.write(pidFile) {
            logger.error("Could not write pid file \(pidFile)")
        }
        defer { if let pidFile = configuration.pidFile { unlink(pidFile) } }
        let server = ProxyServer(configuration: configuration, logger: logger)
        do {
            try await server.start()
        } catch {
            logger.error("Failed to start: \(error)")
            await server.shutdown(gracePeriod: .zero)
            throw ExitCode(1)
        }
        let signal = await signals.wait()
        logger.info("Received \(signal), shutting down")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// Turns the flags into a configuration; throws the one line to print.
    func makeConfiguration() throws -> (ProxyConfiguration, Logger.Level) {
        if let first = unrecognized.first {
            throw ProxyConfigurationError(first.hasPrefix("-") ? "unknown option '\(first)'" : "unexpected argument '\(first)'")
        }
        var c = ProxyConfiguration()
        if let ip { c.ip = ip == "*" ? "" : ip }
        if let port { c.port = try Self.integer(port, flag: "--port") }
        if let apiIP { c.apiIP = apiIP }
        if let apiPort { c.apiPort = try Self.integer(apiPort, flag: "--api-port") }
        c.defaultTarget = defaultTarget
        c.errorTarget = errorTarget
        c.errorPath = errorPath
        if let timeout { c.timeout = .milliseconds(try Self.integer(timeout, flag: "--timeout")) }
        if let proxyTimeout { c.proxyTimeout = .milliseconds(try Self.integer(proxyTimeout, flag: "--proxy-timeout")) }
        if let keepAliveTimeout { c.keepAliveTimeout = .milliseconds(try Self.integer(keepAliveTimeout, flag: "--keep-alive-timeout")) }
        c.hostRouting = hostRouting
        c.xForward = !noXForward
        c.includePrefix = !noIncludePrefix
        c.prependPath = !noPrependPath
        c.customHeaders = try customHeader.map { try ProxyConfiguration.parseCustomHeader($0) }
        if let metricsIP { c.metricsIP = metricsIP == "*" ? "" : metricsIP }
        if let metricsPort { c.metricsPort = try Self.integer(metricsPort, flag: "--metrics-port") }
        c.sslKey = sslKey
        c.sslCert = sslCert
        c.pidFile = pidFile
        if let token = getenv("CONFIGPROXY_AUTH_TOKEN").map({ String(cString: $0) }), !token.isEmpty {
            c.authToken = token
        }
        try c.validate()
        let level: Logger.Level
        switch (logLevel ?? "info").lowercased() {
        case "debug": level = .debug
        case "info": level = .info
        case "warn", "warning": level = .warning
        case "error": level = .error
        default: throw ProxyConfigurationError("--log-level must be one of debug, info, warn, error (got '\(logLevel ?? "")')")
        }
        return (c, level)
    }

    static func integer(_ text: String, flag: String) throws -> Int {
        guard let value = Int(text), value >= 0 else {
            throw ProxyConfigurationError("\(flag) expects a non-negative integer, got '\(text)'")
        }
        return value
    }
}

/// Unbuffered writes to stderr for the few lines printed before logging is set up.
enum FileHandleStderr {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.write(2, &bytes, bytes.count)
    }
}

/// The pid file CHP writes with `--pid-file`.
enum PidFile {
    static func write(_ path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes = Array("\(getpid())\n".utf8)
        return Glibc.write(fd, &bytes, bytes.count) == bytes.count
    }
}

/// Catches SIGTERM and SIGINT from creation on (through the engine's self-pipe, which works
/// whichever thread the kernel delivers the signal to); `wait()` returns the first one's name.
final class SignalWaiter: @unchecked Sendable {
    private let lock = PThreadLock()
    private var received: String?
    private var continuation: CheckedContinuation<String, Never>?
    private var source: DispatchSourceRead?

    init() {
        let fd = csystem_termination_pipe()
        guard fd >= 0 else { return }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        source.setEventHandler { [weak self] in
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { return }
            self?.deliver(Int32(byte) == SIGINT ? "SIGINT" : "SIGTERM")
        }
        source.resume()
        self.source = source
    }
    private func deliver(_ name: String) {
        let waiting: CheckedContinuation<String, Never>? = lock.withLock {
            guard received == nil else { return nil }
            received = name
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: name)
    }

    /// Suspends until a termination signal has arrived (returns at once if one already has).
    func wait() async -> String {
        await withCheckedContinuation { (c: CheckedContinuation<String, Never>) in
            let already: String? = lock.withLock {
                if let received { return received }
                continuation = c
                return nil
            }
            if let already { c.resume(returning: already) }
        }
    }
}
