import GRDB

/// What the hub needs in memory to come up: proportional to running servers, not to users
/// (JupyterHub's start-up was linear in users; at 50,000 it took minutes).
public struct StartupSnapshot: Sendable {
    /// Running or transitioning servers with their owners' names, by server id.
    public var activeServers: [OwnedServer]
    /// Owners of those servers, by id (for blocked-user checks and environment).
    public var owners: [User]
    public var roles: [Role]
    public var services: [Service]
    public var oauthClients: [OAuthClient]
    /// Number of users (metrics; the rest are read page by page when asked for).
    public var userCount: Int
}

extension Store {
    /// Reads everything start-up reconciliation needs in one consistent read transaction.
    public func loadStartupSnapshot() async throws -> StartupSnapshot {
        try await read { db in
            let active = try Self.fetchActiveServers(db)
            let owners = try User.fetchAll(db, sql: """
                SELECT * FROM users WHERE id IN (SELECT user_id FROM servers INDEXED BY servers_active
                    WHERE ready = 1 OR pending IS NOT NULL) ORDER BY id
                """)
            return StartupSnapshot(
                activeServers: active,
                owners: owners,
                roles: try Role.order(Role.CodingKeys.id).fetchAll(db),
                services: try Service.order(Service.CodingKeys.id).fetchAll(db),
                oauthClients: try OAuthClient.order(OAuthClient.CodingKeys.id).fetchAll(db),
                userCount: try User.fetchCount(db)
            )
        }
    }
}

/// A user's id, name and the two flags configuration controls: what start-up reconciliation compares, without
/// decoding whole rows.
public struct UserFlags: Sendable, Hashable {
    public var id: UserID
    public var name: String
    public var admin: Bool
    public var blocked: Bool
}

/// The direct holders of one role, by id.
public struct RoleHolderIDs: Sendable, Hashable {
    public var users: Set<UserID>
    public var groups: Set<GroupID>
    public var services: Set<ServiceID>

    public init(users: Set<UserID> = [], groups: Set<GroupID> = [], services: Set<ServiceID> = []) {
        self.users = users; self.groups = groups; self.services = services
    }
}

/// What start-up needs to make users and role holders match configuration.
public struct RoleReconciliationState: Sendable {
    /// Every user, by id.
    public var users: [UserFlags]
    /// Direct holders by role name (roles without holders are absent).
    public var holders: [String: RoleHolderIDs]
}

extension Store {
    /// Every user's flags and every role's holders in one read transaction, one query per table, so start-up
    /// only writes what configuration actually changes (with 10,000 users, decoding whole rows and rewriting the
    /// `user` role's 10,000 holders on every start cost most of the start-up time).
    public func loadRoleReconciliationState() async throws -> RoleReconciliationState {
        try await read { db in
            var users: [UserFlags] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, name, admin, blocked FROM users ORDER BY id")
            while let row = try rows.next() {
                users.append(UserFlags(id: UserID(row[0]), name: row[1], admin: row[2], blocked: row[3]))
            }
            var roleNames: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, name FROM roles") { roleNames[row[0]] = row[1] }
            var holders: [String: RoleHolderIDs] = [:]
            let maps = try Row.fetchCursor(db, sql: """
                SELECT role_id, 0, user_id FROM user_role_map
                UNION ALL SELECT role_id, 1, group_id FROM group_role_map
                UNION ALL SELECT role_id, 2, service_id FROM service_role_map
                """)
            while let row = try maps.next() {
                guard let name = roleNames[row[0]] else { continue }
                let id: Int64 = row[2]
                switch row[1] as Int {
                case 0: holders[name, default: RoleHolderIDs()].users.insert(UserID(id))
                case 1: holders[name, default: RoleHolderIDs()].groups.insert(GroupID(id))
                default: holders[name, default: RoleHolderIDs()].services.insert(ServiceID(id))
                }
            }
            // A scan of every user row: its pages are no use to the point reads that follow on this connection.
            db.releaseMemory()
            return RoleReconciliationState(users: users, holders: holders)
        }
    }
}

extension Store {
    /// Lets SQLite drop what it can rebuild: idle read connections close (reopened on the next read) and every
    /// connection's unused page cache is freed. Asynchronous and never blocks reads or writes; call it after a
    /// burst of work (start-up, a restore), followed by a heap trim, to keep the idle footprint small.
    public func releaseMemory() {
        (writer as? DatabasePool)?.releaseMemoryEventually()
    }
}
