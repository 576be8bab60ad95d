// Build-tool plugin: turns the package's top-level Migrations/*.sql into one generated Swift file inside
// the Store module. Why a plugin and not resources: SwiftPM resources must live inside the target folder and
// ship as a separate bundle directory next to the binary, which a Docker image or a copied binary can lose;
// compiled-in SQL cannot go missing and the migrations folder stays where admins expect it.
import Foundation
import PackagePlugin

@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "Migrations", directoryHint: .isDirectory)
        let entries = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        let files = entries
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        // SwiftPM re-evaluates this plugin only when the package structure changes, not when a file appears in
        // Migrations/ (it is no target's folder). So the command must not depend on a listing made here: the
        // tool lists the folder itself. Inputs are the folder (its timestamp changes when a file is added, so
        // a new migration is picked up) and the files seen at the last planning (so edits are picked up).
        // Removing or renaming a file — which append-only migrations forbid once released — leaves a stale
        // input: the build then fails with "missing inputs", and `touch Package.swift` makes SwiftPM re-plan.
        return [
            .buildCommand(
                displayName: "Embedding SQL migrations into \(target.name)",
                executable: try context.tool(named: "EmbedMigrationsTool").url,
                arguments: [output.path(percentEncoded: false), folder.path(percentEncoded: false)],
                inputFiles: [folder] + files,
                outputFiles: [output]
            ),
        ]
    }
}
