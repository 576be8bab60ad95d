import ArgumentParser
import Foundation
import Hub
import Logging

/// `pawshub serve [-f FILE]`: run the hub.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hub (API, pages and the public listener).",
        discussion: "Exits 0 after a clean stop (SIGTERM, SIGINT or POST /hub/api/shutdown), 1 on a runtime failure, 2 on a configuration error."
    )

    @Option(name: [.customShort("f"), .customLong("file")],
            help: "YAML configuration file (default: the built-in development defaults).")
    var file: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        LogSetup.bootstrap(file: file, environment: environment)
        let code = await ServeProcess.run(file: file, environment: environment)
        if code != 0 { throw ExitCode(code) }
    }
}

/// Logging for the hub's commands: JupyterHub-style lines at the configured `log_level`.
enum LogSetup {
    static func bootstrap(file: String?, environment: [String: String]) {
        // A configuration error is reported by the command itself; logging then stays at INFO.
        let configured = (try? HubConfiguration.load(file: file, environment: environment))?.jupyterHub.logLevel ?? .info
        let level = HubLogHandler.level(for: configured)
        LoggingSystem.bootstrap { label in HubLogHandler(label: label, level: level) }
    }
}
