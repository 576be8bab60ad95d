import Foundation
@testable import Hub

/// Loads YAML as if it were `pawshub.yaml`, relative `…_file` paths resolved against `directory`.
func loadConfiguration(
    _ yaml: String, environment: [String: String] = [:], directory: String = NSTemporaryDirectory()
) throws(ConfigurationError) -> HubConfiguration {
    try HubConfiguration.load(yaml: yaml, file: "pawshub.yaml", environment: environment, baseDirectory: directory)
}

/// The error lines a YAML text produces; empty when it loads.
func configurationErrors(_ yaml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try loadConfiguration(yaml, environment: environment)
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// The package root, found from this file's path, so tests can read `docs/`.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary directory for secret files.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "pawshub-config-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
