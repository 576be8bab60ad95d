import ArgumentParser
import Foundation
import Hub

/// `pawshub migrate [-f FILE] [--check]`.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (serve does this at start too).",
        discussion: "With --check nothing is changed; exits 1 if migrations are pending. A database written by a newer PawsHub is refused (exit 1) and left untouched."
    )

    @Option(name: [.customShort("f"), .customLong("file")], help: "YAML configuration file (for db_url).")
    var file: String?

    @Flag(help: "Only report whether migrations are pending.")
    var check = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        LogSetup.bootstrap(file: file, environment: environment)
        let outcome = MigrateTool.run(file: file, check: check, environment: environment)
        Output.write(outcome)
        try outcome.exitIfFailed()
    }
}

/// Writes a command outcome and exits with its code.
enum Output {
    static func write(_ outcome: CommandOutcome) {
        if !outcome.output.isEmpty { FileHandle.standardOutput.write(Data(outcome.output.utf8)) }
        if !outcome.errors.isEmpty { FileHandle.standardError.write(Data(outcome.errors.utf8)) }
    }
}

extension CommandOutcome {
    /// Throws ArgumentParser's exit for a non-zero code.
    func exitIfFailed() throws { if exitCode != 0 { throw ExitCode(exitCode) } }
}
