import Foundation
import GRDB
@testable import Store

/// A fresh directory under the system temp dir, removed when the value is dropped.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "pawshub-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appending(path: name).path(percentEncoded: false) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A migrated file-backed store in its own directory (the production configuration).
func makeFileStore() throws -> (Store, TemporaryDirectory) {
    let dir = try TemporaryDirectory()
    let store = try Store(path: dir.path("hub.sqlite"))
    try store.migrate()
    return (store, dir)
}

/// The package root, found from this file's location.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

extension Store {
    /// Raw SQL access for assertions about the schema itself.
    func testRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }
}
