import GRDB

/// One SQL file from `Migrations/`, compiled into the binary.
public struct SchemaMigration: Sendable, Hashable {
    /// File name without `.sql`, e.g. `0001_initial`; also the name recorded in the database.
    public let name: String
    /// The file's exact text.
    public let sql: String
}

extension Store {
    /// Every migration this build knows, in apply order.
    public static let knownMigrations: [SchemaMigration] = embeddedMigrationFiles.map { SchemaMigration(name: $0.name, sql: $0.sql) }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        for migration in knownMigrations {
            // Each file runs in its own transaction and is recorded in grdb_migrations on commit.
            migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }()

    /// Applies every pending migration, each once and in its own transaction. A no-op when up to date.
    /// Throws `StoreError.databaseFromNewerVersion` (changing nothing) if the file knows migrations this build does not.
    public func migrate() throws {
        do {
            try refuseUnknownMigrations()
            let pending = try pendingMigrations()
            try Self.migrator.migrate(writer)
            for name in pending { logger.info("applied migration", metadata: ["migration": "\(name)"]) }
        } catch {
            throw StoreError.from(error)
        }
    }

    /// Names of known migrations not yet applied (for `pawshub migrate --check`).
    public func pendingMigrations() throws -> [String] {
        do {
            try refuseUnknownMigrations()
            let applied = try writer.read { db in try Self.migrator.appliedIdentifiers(db) }
            return Self.knownMigrations.map(\.name).filter { !applied.contains($0) }
        } catch {
            throw StoreError.from(error)
        }
    }

    private func refuseUnknownMigrations() throws {
        let applied = try writer.read { db in try Self.migrator.appliedIdentifiers(db) }
        try Self.checkKnown(applied)
    }

    static func checkKnown(_ applied: Set<String>) throws {
        let known = Set(knownMigrations.map(\.name))
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty { throw StoreError.databaseFromNewerVersion(unknownMigrations: unknown) }
    }

    /// Reads the recorded migrations through a read-only connection, so a refused file stays byte-identical
    /// (opening a pool would add a WAL and touch the schema).
    static func refuseNewerDatabase(at path: String) throws {
        var config = Configuration()
        config.readonly = true
        let applied: Set<String>
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
            try queue.close()
        } catch {
            throw StoreError.from(error)
        }
        try checkKnown(applied)
    }
}
