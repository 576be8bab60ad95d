import GRDB

/// A group of users (table `groups`); members live in `user_group_map`.
public struct Group: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "groups"
    public var id: GroupID
    public var name: String
    public var description: String?
    /// Free-form properties (JupyterHub 3.2+), unused by the hub itself.
    public var properties: JSONObjectText

    enum CodingKeys: String, CodingKey, ColumnExpression { case id, name, description, properties }
}

/// A role: a named set of scopes (table `roles`), assigned to users, groups and services.
public struct Role: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "roles"
    public var id: RoleID
    public var name: String
    public var description: String?
    /// Scope strings exactly as configured (expansion is Auth's job).
    public var scopes: [String]

    enum CodingKeys: String, CodingKey, ColumnExpression { case id, name, description, scopes }
}

/// Who a role is assigned to.
public enum RoleHolder: Hashable, Sendable {
    case user(UserID)
    case group(GroupID)
    case service(ServiceID)
}

/// A hub service (table `services`), e.g. the idle culler.
public struct Service: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "services"
    public var id: ServiceID
    public var name: String
    public var admin: Bool
    /// Internal URL the service runs at, if it is proxied.
    public var url: String?
    /// The OAuth client it logs users in with, if any.
    public var oauthClientID: String?
    /// PID of a hub-managed service process.
    public var pid: Int?
    public var lastActivity: Timestamp?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, name, admin, url, oauthClientID = "oauth_client_id", pid, lastActivity = "last_activity"
    }
}
