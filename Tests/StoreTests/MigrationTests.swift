import Foundation
import GRDB
import Testing
@testable import Store

@Suite("Migrations")
struct MigrationTests {
    @Test("the embedded migrations are exactly the files in Migrations/, byte for byte")
    func embeddedEqualsDisk() throws {
        let folder = packageRoot.appending(path: "Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path(percentEncoded: false))
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        #expect(Store.knownMigrations.map { $0.name + ".sql" } == files)
        for migration in Store.knownMigrations {
            let bytes = try Data(contentsOf: folder.appending(path: migration.name + ".sql"))
            #expect(Data(migration.sql.utf8) == bytes, "\(migration.name) differs from its file")
        }
    }

    @Test("a new database has every migration pending, migrate applies and records each once")
    func appliesOnceAndRecords() async throws {
        let dir = try TemporaryDirectory()
        let store = try Store(path: dir.path("hub.sqlite"))
        #expect(try store.pendingMigrations() == Store.knownMigrations.map(\.name))
        try store.migrate()
        #expect(try store.pendingMigrations().isEmpty)
        let recorded = try await store.testRead { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(recorded == Store.knownMigrations.map(\.name))
        #expect(try await store.testRead { db in try db.tableExists("users") })
    }

    @Test("running migrate again is a no-op that leaves data and records alone")
    func rerunIsNoOp() async throws {
        let (store, dir) = try makeFileStore()
        _ = try await store.createUser(NewUser(name: "alice"))
        let before = try await store.testRead { db in try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name") }
        try store.migrate()
        let reopened = try Store(path: dir.path("hub.sqlite"))
        try reopened.migrate()
        let after = try await reopened.testRead { db in try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name") }
        #expect(before == after)
        #expect(try await reopened.userCount() == 1)
        let rows = try await reopened.testRead { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") }
        #expect(rows == Store.knownMigrations.count)
    }

    @Test("a database written by a newer PawsHub is refused with a clear error and left byte-identical")
    func newerDatabaseRefused() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("hub.sqlite")
        do {
            let store = try Store(path: path)
            try store.migrate()
        }
        // Simulate a newer build: record a migration this build has never heard of, then close cleanly.
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
            }
            try queue.close()
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.url.path(percentEncoded: false)).sorted()

        #expect(throws: StoreError.databaseFromNewerVersion(unknownMigrations: ["9999_from_the_future"])) {
            _ = try Store(path: path)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path(percentEncoded: false)).sorted() == siblings)
        let message = StoreError.databaseFromNewerVersion(unknownMigrations: ["9999_from_the_future"]).description
        #expect(message.contains("newer PawsHub") && message.contains("9999_from_the_future"))
    }

    @Test("an open store re-checks: migrate and pendingMigrations refuse a database a newer build touched meanwhile")
    func migrateRefusesWhenSuperseded() async throws {
        let (store, _) = try makeFileStore()
        try await store.writer.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
        }
        #expect(throws: StoreError.databaseFromNewerVersion(unknownMigrations: ["9999_from_the_future"])) { try store.migrate() }
        #expect(throws: StoreError.databaseFromNewerVersion(unknownMigrations: ["9999_from_the_future"])) { _ = try store.pendingMigrations() }
    }

    @Test("file databases run in WAL mode with foreign keys on and synchronous=NORMAL unless FULL is asked for")
    func pragmas() async throws {
        let (store, dir) = try makeFileStore()
        let (mode, fk) = try await store.testRead { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(mode == "wal")
        #expect(fk == 1)
        let sync = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(sync == 1)
        var options = Store.Options()
        options.durability = .full
        let strict = try Store(path: dir.path("hub.sqlite"), options: options)
        #expect(try await strict.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    }

    @Test("a file that is not a database is reported as a database error, not a crash")
    func garbageFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("hub.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            guard case .database = error as? StoreError else { return false }
            return true
        }
    }
}
