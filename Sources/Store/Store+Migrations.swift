import Foundation
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

    /// Reads the recorded migrations without writing anything, so a refused file stays byte-identical
    /// (opening a pool adds WAL files and touches the schema). With no `-wal` file the database is fully
    /// checkpointed and is opened `immutable` (no lock or side files); otherwise a read-only connection sees
    /// the WAL's commits too, and its side files exist already.
    static func refuseNewerDatabase(at path: String) throws {
        var config = Configuration()
        config.readonly = true
        let hasWAL = FileManager.default.fileExists(atPath: path + "-wal")
        let location = hasWAL ? path : "file:\(uriEscaped(path))?immutable=1"
        let applied: Set<String>
        do {
            let queue = try DatabaseQueue(path: location, configuration: config)
            applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
            try queue.close()
        } catch {
            throw StoreError.from(error)
        }
        try checkKnown(applied)
    }

    /// Escapes the characters an SQLite URI filename gives meaning to.
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x20, 0x7F...:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }
}
