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
