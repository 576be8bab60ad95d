import GRDB

/// Who a share grants access to.
public enum ShareGrantee: Hashable, Sendable {
    case user(UserID)
    case group(GroupID)
}

/// Access to one server granted to a user or a group (table `shares`).
public struct Share: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "shares"
    public var id: ShareID
    public var serverID: ServerID
    public var userID: UserID?
    public var groupID: GroupID?
    public var scopes: [String]
    /// When the share was first granted (kept when scopes change).
    public var created: Timestamp

    /// The user or group this share is for.
    public var grantee: ShareGrantee? {
        if let userID { return .user(userID) }
        return groupID.map(ShareGrantee.group)
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, serverID = "server_id", userID = "user_id", groupID = "group_id", scopes, created
    }
}

/// An invitation code that turns into a share when exchanged (table `share_codes`).
public struct ShareCode: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "share_codes"
    public var id: ShareCodeID
    public var serverID: ServerID
    public var prefix: String
    public var hashed: String
    public var scopes: [String]
    public var created: Timestamp
    public var expiresAt: Timestamp
    public var exchangeCount: Int
    public var lastExchangedAt: Timestamp?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, serverID = "server_id", prefix, hashed, scopes, created, expiresAt = "expires_at"
        case exchangeCount = "exchange_count", lastExchangedAt = "last_exchanged_at"
    }
}
