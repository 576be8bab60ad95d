// Build-tool plugin: turns the package's top-level Migrations/*.sql into one generated Swift file inside
// the Store module. Why a plugin and not resources: SwiftPM resources must live inside the target folder and
// ship as a separate bundle directory next to the binary, which a Docker image or a copied binary can lose;
// compiled-in SQL cannot go missing and the migrations folder stays where admins expect it.
import Foundation
import PackagePlugin

@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "Migrations")
        let entries = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        let files = entries
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) SQL migrations into \(target.name)",
                executable: try context.tool(named: "EmbedMigrationsTool").url,
                arguments: [output.path(percentEncoded: false)] + files.map { $0.path(percentEncoded: false) },
                inputFiles: files,
                outputFiles: [output]
            ),
        ]
    }
}
