import ArgumentParser
import Foundation
import Hub

/// `pawshub config …`: configuration tools.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect the hub configuration file.",
        subcommands: [Check.self]
    )

    /// `pawshub config check [-f FILE]`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print the effective values (secrets masked).",
            discussion: "Exits 0 when the configuration is valid, 2 with one line per problem otherwise."
        )

        @Option(name: [.customShort("f"), .customLong("file")],
                help: "YAML configuration file (default: the built-in development defaults).")
        var file: String?

        func run() throws {
            let outcome = ConfigCheck.run(file: file, environment: ProcessInfo.processInfo.environment)
            if !outcome.output.isEmpty {
                FileHandle.standardOutput.write(Data(outcome.output.utf8))
            }
            if !outcome.errors.isEmpty {
                FileHandle.standardError.write(Data(outcome.errors.utf8))
            }
            if outcome.exitCode != 0 {
                throw ExitCode(outcome.exitCode)
            }
        }
    }
}
