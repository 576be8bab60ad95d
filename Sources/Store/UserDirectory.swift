// The user read model: every user with roles, groups and servers in memory, so a lookup or a page of
// user models costs no SQLite work (JupyterHub, too, keeps its users in memory).
//
// The database stays the truth. The directory is loaded on first use, on the writer connection, and then
// observes that connection: every committed transaction that touched `users`, `servers`, `groups` or
// `roles` re-reads the users it touched — still on the writer, right after COMMIT and before the next
// write — so updates reach memory in commit order and only once committed. The role and group map tables
// are WITHOUT ROWID (SQLite reports no row events for them), so the Store's methods that change them call
// `touch(_:)`/`touchAll()` inside their transaction. If a refresh cannot be read, the directory is dropped
// and reloaded on next use rather than served stale.
import GRDB
import Logging
import Synchronization

final class UserDirectory: Sendable {
    private let state = Mutex<DirectoryState?>(nil)
    /// What the transaction in progress on the writer touched.
    private let pending = Mutex<PendingChanges>(PendingChanges())
    private let observing = Atomic<Bool>(false)
    private let logger = Logger(label: "pawshub.store")

    private struct PendingChanges {
        var users: Set<UserID> = []
        var servers: Set<ServerID> = []
        /// A change the directory cannot narrow to users (a group or role renamed or deleted, memberships).
        var everything = false
        var isEmpty: Bool { users.isEmpty && servers.isEmpty && !everything }
    }

    /// `body` applied to the current state, loading it first if needed.
    func read<T: Sendable>(_ writer: any DatabaseWriter, _ body: (DirectoryState) -> T) async throws -> T {
        if let hit = state.withLock({ state in state.map { body($0) } }) { return hit }
        try await writer.writeWithoutTransaction { db in
            if !self.observing.load(ordering: .acquiring) {
                db.add(transactionObserver: self, extent: .databaseLifetime)
                self.observing.store(true, ordering: .releasing)
            }
            guard self.state.withLock({ $0 == nil }) else { return }
            let started = ContinuousClock.now
            let loaded = try UserDirectoryLoad.all(db)
            self.state.withLock { $0 = loaded }
            let elapsed = (ContinuousClock.now - started).components
            let ms = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
            self.logger.info("user directory loaded", metadata: ["users": "\(loaded.count)", "ms": "\(ms)"])
        }
        return try state.withLock { state in
            guard let state else { throw StoreError.database("user directory unavailable") }
            return body(state)
        }
    }

    /// Marks users whose roles or groups change in the current write transaction (call on the writer).
    func touch(_ users: some Sequence<UserID>) {
        pending.withLock { $0.users.formUnion(users) }
    }

    /// Marks a change that may concern any user (call on the writer, inside the transaction).
    func touchAll() {
        pending.withLock { $0.everything = true }
    }
}

extension UserDirectory: TransactionObserver {
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind.tableName {
        // The map tables give no row events (WITHOUT ROWID); observing them keeps this observer in their
        // transactions, whose `touch` calls then reach `databaseDidCommit`.
        case "users", "servers", "groups", "roles", "user_role_map", "user_group_map": return true
        default: return false
        }
    }

    func databaseDidChange(with event: DatabaseEvent) {
        let table = event.tableName, row = event.rowID
        pending.withLock { changes in
            switch table {
            case "users": changes.users.insert(UserID(row))
            case "servers": changes.servers.insert(ServerID(row))
            default: changes.everything = true // a group or role renamed or deleted: names are in many users
            }
        }
    }

    func databaseDidChange() { pending.withLock { $0.everything = true } }

    func databaseDidRollback(_ db: Database) { pending.withLock { $0 = PendingChanges() } }

    func databaseDidCommit(_ db: Database) {
        let changes = pending.withLock { changes in
            defer { changes = PendingChanges() }
            return changes
        }
        guard !changes.isEmpty, state.withLock({ $0 != nil }) else { return }
        do {
            if changes.everything {
                let loaded = try UserDirectoryLoad.all(db)
                state.withLock { $0 = loaded }
                return
            }
            var users = changes.users
            if !changes.servers.isEmpty {
                // Rows still present name their owner; a deleted row's owner is the user holding it in memory.
                let owners = try UserID.fetchAll(db, sql: "SELECT DISTINCT user_id FROM servers WHERE id IN (SELECT value FROM json_each(?))",
                                                 arguments: [try JSONText.array(changes.servers.map(\.rawValue))])
                users.formUnion(owners)
                state.withLock { state in
                    for server in changes.servers { if let owner = state?.owner(ofServer: server) { users.insert(owner) } }
                }
            }
            let ids = Array(users)
            let views = try UserDirectoryLoad.views(ids, db)
            state.withLock { state in
                for id in ids {
                    if let view = views[id] { state?.upsert(view) } else { state?.remove(id: id) }
                }
            }
        } catch {
            logger.warning("user directory refresh failed; reloading on next read", metadata: ["error": "\(error)"])
            state.withLock { $0 = nil }
        }
    }
}
