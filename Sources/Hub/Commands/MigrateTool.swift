// `pawshub migrate [-f FILE] [--check]`: bring the database schema up to date, or only report.
import Foundation
import Store

/// The logic of `pawshub migrate`.
public enum MigrateTool {
    /// Applies pending migrations (or, with `check`, exits 1 if any are pending, changing nothing).
    public static func run(file: String?, check: Bool, environment: [String: String]) -> CommandOutcome {
        let configuration: HubConfiguration
        do {
            configuration = try HubConfiguration.load(file: file, environment: environment)
        } catch {
            return .configurationError(error.description)
        }
        let path = configuration.jupyterHub.databaseURL.path
        if check && !FileManager.default.fileExists(atPath: path) {
            // Report without creating an empty database file as a side effect of a check.
            let names = Store.knownMigrations.map(\.name)
            return CommandOutcome(exitCode: 1, output: "Database \(path) does not exist; pending migrations: \(names.joined(separator: ", "))\n")
        }
        do {
            let store = try Store(path: path)
            let pending = try store.pendingMigrations()
            if check {
                if pending.isEmpty { return CommandOutcome(exitCode: 0, output: "Database \(path) is up to date\n") }
                return CommandOutcome(exitCode: 1, output: "Database \(path) has pending migrations: \(pending.joined(separator: ", "))\n")
            }
            try store.migrate()
            if pending.isEmpty { return CommandOutcome(exitCode: 0, output: "Database \(path) is already up to date\n") }
            return CommandOutcome(exitCode: 0, output: pending.map { "Applied \($0)\n" }.joined())
        } catch {
            return .failure("Database \(path): \(error)")
        }
    }
}
