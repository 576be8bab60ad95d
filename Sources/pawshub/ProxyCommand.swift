// `pawshub proxy`: a drop-in for the `configurable-http-proxy` command line. The arguments pass
// through ArgumentParser untouched and are parsed by `ProxyCommandLine`, so CHP spellings such as
// `--ip=` work and any mistake ends in one clear line and exit status 2.
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
        abstract: "Run the proxy alone, a drop-in for configurable-http-proxy (token from CONFIGPROXY_AUTH_TOKEN).",
        discussion: ProxyCommandLine.helpText
    )

    /// Every argument, parsed by `ProxyCommandLine` (CHP's `--ip=` needs an empty value).
    @Argument(parsing: .captureForPassthrough, help: "configurable-http-proxy options; see `pawshub proxy --help`.")
    var arguments: [String] = []

    func run() async throws {
        let request: ProxyCommandLine.Request
        do {
            request = try ProxyCommandLine.parse(arguments, authToken: getenv("CONFIGPROXY_AUTH_TOKEN").map { String(cString: $0) })
        } catch {
            FileHandleStderr.write("pawshub proxy: \(error)\n")
            throw ExitCode(2)
        }
        switch request {
        case .help:
            print(ProxyCommandLine.helpText)
        case .version:
            print(PawsHubVersion.string)
        case .run(let configuration, let level):
            try await serve(configuration, level: level)
        }
    }

    func serve(_ configuration: ProxyConfiguration, level: ProxyCommandLine.LogLevel) async throws {
        let loggerLevel: Logger.Level = switch level {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
        LoggingSystem.bootstrap { _ in ProxyLogHandler(level: loggerLevel) }
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
