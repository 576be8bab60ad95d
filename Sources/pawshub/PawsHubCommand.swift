import ArgumentParser

/// `pawshub`: the hub, the proxy and their admin commands in one binary.
/// Each subcommand lives in its own file (`ProxyCommand.swift`, `ServeCommand.swift`, …).
@main
struct PawsHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pawshub",
        abstract: "A JupyterHub-compatible hub, proxy and culler in one binary.",
        version: PawsHubVersion.string,
        subcommands: [
            // Subcommands register here, one line each.
            ProxyCommand.self,
        ]
    )
}

enum PawsHubVersion {
    static let string = "0.1.0"
}
