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
//
// Other processes write the same file too (`pawshub token USER` creates users and tokens while the hub runs).
// Their commits change the writer connection's `PRAGMA data_version`; the directory compares it at most once a
// second on reads, and at once before answering "no such user", and reloads when it moved.
import GRDB
import Glibc
import Logging
import Synchronization

final class UserDirectory: Sendable {
    private let state = Mutex<DirectoryState?>(nil)
    /// What the transaction in progress on the writer touched.
    private let pending = Mutex<PendingChanges>(PendingChanges())
    private let observing = Atomic<Bool>(false)
    private let logger = Logger(label: "pawshub.store")
    /// The writer's `PRAGMA data_version` when last compared, and when (monotonic nanoseconds).
    private let external = Mutex<(version: Int64, checkedAt: UInt64)>((0, 0))
    /// How often a read compares `data_version` (another process's commit shows up within this).
    private static let externalCheckInterval: UInt64 = 1_000_000_000

    private struct PendingChanges {
        /// New user rows: read whole (their roles and groups were written in the same transaction).
        var insertedUsers: Set<UserID> = []
        /// Updated or deleted user rows: only the row is read again.
        var changedUsers: Set<UserID> = []
        /// Server rows inserted, updated or deleted: their owners' servers are read again.
        var servers: Set<ServerID> = []
        /// Users whose direct roles or groups changed (`touch`).
        var memberships: Set<UserID> = []
        /// A change the directory cannot narrow to users (a group or role renamed or deleted, memberships).
        var everything = false
        var isEmpty: Bool {
            insertedUsers.isEmpty && changedUsers.isEmpty && servers.isEmpty && memberships.isEmpty && !everything
        }
    }

    /// `body` applied to the current state, loading it first if needed (and reloading it when another process
    /// committed since the last check, compared at most once a second).
    func read<T: Sendable>(_ writer: any DatabaseWriter, _ body: (DirectoryState) -> T) async throws -> T {
        let due = external.withLock { Self.now() &- $0.checkedAt >= Self.externalCheckInterval }
        if !due, let hit = state.withLock({ state in state.map { body($0) } }) { return hit }
        try await sync(writer)
        return try state.withLock { state in
            guard let state else { throw StoreError.database("user directory unavailable") }
            return body(state)
        }
    }

    /// `body`'s answer; a nil (no such user) is confirmed against commits of other processes first, so a user
    /// `pawshub token` has just created is found at once.
    func lookup<T: Sendable>(_ writer: any DatabaseWriter, _ body: (DirectoryState) -> T?) async throws -> T? {
        if let found = try await read(writer, body) { return found }
        try await sync(writer)
        return try await read(writer, body)
    }

    /// On the writer: starts observing, loads the state if there is none, and reloads it when `data_version`
    /// says another connection (another process) committed since the last look.
    private func sync(_ writer: any DatabaseWriter) async throws {
        try await writer.writeWithoutTransaction { db in
            if !self.observing.load(ordering: .acquiring) {
                db.add(transactionObserver: self, extent: .databaseLifetime)
                self.observing.store(true, ordering: .releasing)
            }
            let version = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
            let movedElsewhere = self.external.withLock { external -> Bool in
                defer { external = (version, Self.now()) }
                return external.checkedAt != 0 && external.version != version
            }
            guard movedElsewhere || self.state.withLock({ $0 == nil }) else { return }
            let started = ContinuousClock.now
            let loaded = try UserDirectoryLoad.all(db)
            // The load read every user, server and membership row once; left in the writer's page cache they
            // would only crowd out the pages writes use (~0.5 MiB at 10,000 users, until the periodic release).
            db.releaseMemory()
            self.state.withLock { $0 = loaded }
            let elapsed = (ContinuousClock.now - started).components
            let ms = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
            self.logger.info(movedElsewhere ? "user directory reloaded after another process wrote" : "user directory loaded",
                             metadata: ["users": "\(loaded.count)", "ms": "\(ms)"])
        }
    }

    private static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Marks users whose roles or groups change in the current write transaction (call on the writer).
    func touch(_ users: some Sequence<UserID>) {
        pending.withLock { $0.memberships.formUnion(users) }
    }

    /// Marks a change that may concern any user (call on the writer, inside the transaction).
    func touchAll() {
        pending.withLock { $0.everything = true }
    }
}

extension UserDirectory: TransactionObserver {
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        // Group and role rows matter only through their names: a new group or role is in no user's model
        // until a membership (touched) says so, and re-declaring a role's scopes at start-up must not
        // reload every user. The map tables give no row events (WITHOUT ROWID); their writers `touch`.
        switch eventKind {
        case .insert(let table):
            return table == "users" || table == "servers"
        case .delete(let table):
            return ["users", "servers", "groups", "roles"].contains(table)
        case .update(let table, let columns):
            switch table {
            case "users", "servers": return true
            case "groups", "roles": return columns.contains { $0.lowercased() == "name" }
            default: return false
            }
        }
    }

    func databaseDidChange(with event: DatabaseEvent) {
        let table = event.tableName, row = event.rowID, kind = event.kind
        pending.withLock { changes in
            switch table {
            case "users":
                if kind == .insert {
                    _ = changes.insertedUsers.insert(UserID(row))
                } else {
                    _ = changes.changedUsers.insert(UserID(row))
                }
            case "servers": _ = changes.servers.insert(ServerID(row))
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
            try refresh(changes, db)
        } catch {
            logger.warning("user directory refresh failed; reloading on next read", metadata: ["error": "\(error)"])
            state.withLock { $0 = nil }
        }
    }
}

extension UserDirectory {
    /// Re-reads only what the transaction touched: whole users for inserts, rows for updates and deletes,
    /// server lists for server changes, role and group names for `touch`ed users.
    private func refresh(_ changes: PendingChanges, _ db: Database) throws {
        // A server row still present names its owner; a deleted one's owner is whoever holds it in memory.
        var serverOwners: Set<UserID> = []
        if !changes.servers.isEmpty {
            let ids = changes.servers.map(\.rawValue)
            serverOwners.formUnion(try UserID.fetchAll(db, sql: "SELECT DISTINCT user_id FROM servers WHERE id IN (SELECT value FROM json_each(?))",
                                                       arguments: [try JSONText.array(ids)]))
            state.withLock { state in
                for server in changes.servers { if let owner = state?.owner(ofServer: server) { serverOwners.insert(owner) } }
            }
        }
        // Anyone not in memory yet is read whole, whatever changed.
        let known = state.withLock { state in
            Set(changes.changedUsers.union(serverOwners).union(changes.memberships).filter { state?.contains(id: $0) == true })
        }
        let whole = Array(changes.insertedUsers.union(changes.changedUsers.union(serverOwners).union(changes.memberships).subtracting(known)))
        let rowIDs = Array(changes.changedUsers.intersection(known).subtracting(changes.insertedUsers))
        let serverIDs = Array(serverOwners.intersection(known).subtracting(changes.insertedUsers))
        let membershipIDs = Array(changes.memberships.intersection(known).subtracting(changes.insertedUsers))

        let views = whole.isEmpty ? [:] : try UserDirectoryLoad.views(whole, db)
        let rows = rowIDs.isEmpty ? [:] : try UserDirectoryLoad.users(rowIDs, db)
        let servers = serverIDs.isEmpty ? [:] : try UserDirectoryLoad.servers(ofUsers: serverIDs, db)
        let roles = membershipIDs.isEmpty ? [:] : try UserDirectoryLoad.roleNames(ofUsers: membershipIDs, db)
        let groups = membershipIDs.isEmpty ? [:] : try UserDirectoryLoad.groupNames(ofUsers: membershipIDs, db)
        state.withLock { state in
            guard state != nil else { return }
            for id in whole { if let view = views[id] { state!.upsert(view) } else { state!.remove(id: id) } }
            for id in rowIDs { if let user = rows[id] { state!.setUser(user) } else { state!.remove(id: id) } }
            for id in serverIDs { state!.setServers(servers[id] ?? [], of: id) }
            for id in membershipIDs {
                state!.setRoles(roles[id] ?? [], of: id)
                state!.setGroups(groups[id] ?? [], of: id)
            }
        }
    }
}
