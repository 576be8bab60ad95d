import GRDB

/// A user's id, activity and server ids by name: what an activity report needs to validate itself.
public struct UserActivityTargets: Sendable, Hashable {
    public var userID: UserID
    public var userName: String
    /// Server ids by server name (`""` = default).
    public var servers: [String: ServerID]
}

extension Store {
    /// Saves `user` as `updateUser` does and changes its direct roles, all in one transaction (an admin flag and
    /// the `admin` role never disagree). `.notFound(.role, name)` if a granted role is missing; nothing is written then.
    public func updateUser(_ user: User, grantingRoles granted: [String], revokingRoles revoked: [String]) async throws {
        try await write(.user, key: user.name) { db in
            do {
                try user.update(db, columns: [User.CodingKeys.name, .admin, .cookieID, .encryptedAuthState, .blocked, .wikiUserID])
            } catch RecordError.recordNotFound {
                throw StoreError.notFound(.user, String(user.id.rawValue))
            }
            for role in granted { try Self.assign(role: role, to: .user(user.id), db) }
            for role in revoked {
                try db.execute(sql: "DELETE FROM user_role_map WHERE user_id = ? AND role_id = (SELECT id FROM roles WHERE name = ?)",
                               arguments: [user.id, role])
            }
            self.directory.touch([user.id])
        }
    }

    /// The user's id and server ids in one read, or nil if no user has this name (the activity endpoint's lookup).
    public func activityTargets(userNamed name: String) async throws -> UserActivityTargets? {
        try await directory.read(writer) { state in
            guard let view = state.view(named: name) else { return nil }
            var servers: [String: ServerID] = [:]
            for server in view.servers { servers[server.name] = server.id }
            return UserActivityTargets(userID: view.user.id, userName: name, servers: servers)
        }
    }
}
