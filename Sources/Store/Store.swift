import Foundation
import GRDB
import Logging

/// The hub's SQLite database: records in, queries out. Knows nothing of HTTP, scopes or wire formats.
///
/// One `DatabasePool` (WAL, one writer, a few readers) per file; every method that changes several rows
/// does so in one transaction, so a crash never leaves half a record for the next start.
public final class Store: Sendable {
    /// How hard a commit is pushed to disk before a write returns.
    public enum Durability: Sendable {
        /// `synchronous=NORMAL` (the default): a commit is in the WAL file (the OS page cache) when the write
        /// returns, so it survives `kill -9` and hub crashes; an OS crash or power loss may drop the commits
        /// since the last checkpoint, never corrupting the file. Measured here: ~8x the commit rate of `.full`
        /// (≈2,000 vs ≈250 small commits/s on a shared disk), which matters in login and spawn storms.
        case normal
        /// `synchronous=FULL`: the WAL is fsynced at every commit, so acknowledged writes also survive an OS
        /// crash or power loss, at one fsync per commit.
        case full
    }

    /// Tuning knobs with production defaults.
    public struct Options: Sendable {
        public var durability: Durability = .normal
        /// How long a write waits for a lock held by another process before failing, in seconds.
        public var busyTimeoutSeconds: Double = 5
        /// Concurrent read connections (each costs its page cache).
        public var maximumReaders: Int = 3
        /// Page cache per connection in KiB; small so 10,000 users fit the hub's memory budget.
        public var cacheKiB: Int = 1024
        /// Production defaults.
        public init() {}
    }

    let writer: any DatabaseWriter
    /// Every `write` goes through it: concurrent writes share a commit.
    let batcher: WriteBatcher
    let logger = Logger(label: "pawshub.store")
    /// The file path, or `:memory:`.
    public let path: String
    /// Users with roles, groups and servers in memory, kept in step with every commit (see `UserDirectory`).
    let directory = UserDirectory()

    /// Opens (creating if needed) the database at `path` without migrating it; call `migrate()` next.
    /// Throws `StoreError.databaseFromNewerVersion` — before touching the file — if a newer PawsHub wrote it.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            try Self.refuseNewerDatabase(at: path)
        }
        var config = Configuration()
        config.label = "pawshub.store"
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(options.busyTimeoutSeconds)
        config.maximumReaderCount = max(1, options.maximumReaders)
        let cache = options.cacheKiB
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = \(-max(64, cache))")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            // GRDB switches WAL connections to NORMAL while opening the pool, so choose after it.
            let level = options.durability == .full ? "FULL" : "NORMAL"
            try pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(level)") }
            writer = pool
            batcher = WriteBatcher(writer: pool)
        } catch {
            throw StoreError.from(error)
        }
    }

    private init(queue: DatabaseQueue) {
        writer = queue
        batcher = WriteBatcher(writer: queue)
        path = ":memory:"
    }

    /// A private, migrated, in-memory database for tests and throwaway runs.
    public static func inMemory() throws -> Store {
        var config = Configuration()
        config.foreignKeysEnabled = true
        do {
            let store = Store(queue: try DatabaseQueue(configuration: config))
            try store.migrate()
            return store
        } catch {
            throw StoreError.from(error)
        }
    }

    // MARK: - Transactions with errors mapped to StoreError

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw StoreError.from(error)
        }
    }

    /// Runs `body` in a write transaction (shared with concurrent writes, each in its own savepoint, see
    /// `WriteBatcher`); constraint failures name `entity`/`key`.
    func write<T: Sendable>(_ entity: StoreEntity? = nil, key: String = "",
                            _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await batcher.write(body)
        } catch {
            throw StoreError.from(error, entity: entity, key: key)
        }
    }
}
