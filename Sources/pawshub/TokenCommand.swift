import ArgumentParser
import Foundation
import Hub

/// `pawshub token USER [-f FILE] [--scopes a,b] [--note N]`, like `jupyterhub token`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a new API token for a user (the user is created if missing).",
        discussion: "Exits 2 for unknown scopes or scopes the user does not hold, 1 on a database failure."
    )

    @Argument(help: "The user the token belongs to.")
    var user: String

    @Option(name: [.customShort("f"), .customLong("file")], help: "YAML configuration file (for db_url and roles).")
    var file: String?

    @Option(help: "Comma-separated scopes (default: inherit all of the user's).")
    var scopes: String?

    @Option(help: "A note stored with the token.")
    var note: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        LogSetup.bootstrap(file: file, environment: environment)
        let list = (scopes ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let outcome = await TokenTool.run(user: user, file: file, scopes: list, note: note, environment: environment)
        Output.write(outcome)
        try outcome.exitIfFailed()
    }
}
