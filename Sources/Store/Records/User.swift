import Foundation
import GRDB

/// A hub user (table `users`).
public struct User: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "users"
    public var id: UserID
    /// Unique login name (PAWS keeps Wikimedia names as they are, case included).
    public var name: String
    public var admin: Bool
    public var created: Timestamp
    public var lastActivity: Timestamp?
    /// Changing it invalidates every login cookie of the user.
    public var cookieID: String
    /// Auth state encrypted by Auth with `JUPYTERHUB_CRYPT_KEY`; the Store never sees plaintext.
    public var encryptedAuthState: Data?
    public var blocked: Bool
    /// Wikimedia central user id kept at login (PAWS home directories are keyed by it).
    public var wikiUserID: Int64?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, name, admin, created, lastActivity = "last_activity", cookieID = "cookie_id"
        case encryptedAuthState = "encrypted_auth_state", blocked, wikiUserID = "wiki_user_id"
    }

    public init(row: Row) throws {
        id = row[CodingKeys.id]
        name = row[CodingKeys.name]
        admin = row[CodingKeys.admin]
        created = row[CodingKeys.created]
        lastActivity = row[CodingKeys.lastActivity]
        cookieID = row[CodingKeys.cookieID]
        encryptedAuthState = row[CodingKeys.encryptedAuthState]
        blocked = row[CodingKeys.blocked]
        wikiUserID = row[CodingKeys.wikiUserID]
    }

    /// Decodes `SELECT *` by position (columns in table order; later migrations only append), which is several
    /// times faster than by name: the user directory decodes every user at start-up.
    init(tableOrder row: Row) throws {
        id = row[0]; name = row[1]; admin = row[2]; created = row[3]; lastActivity = row[4]; cookieID = row[5]
        encryptedAuthState = row[6]; blocked = row[7]; wikiUserID = row[8]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[CodingKeys.id] = id
        container[CodingKeys.name] = name
        container[CodingKeys.admin] = admin
        container[CodingKeys.created] = created
        container[CodingKeys.lastActivity] = lastActivity
        container[CodingKeys.cookieID] = cookieID
        container[CodingKeys.encryptedAuthState] = encryptedAuthState
        container[CodingKeys.blocked] = blocked
        container[CodingKeys.wikiUserID] = wikiUserID
    }
}

/// What it takes to create a user; the Store fills in id, creation time and cookie id.
public struct NewUser: Sendable, Hashable {
    public var name: String
    public var admin: Bool
    public var blocked: Bool
    public var wikiUserID: Int64?
    /// Names of existing roles to assign in the same transaction.
    public var roles: [String]
    /// Names of existing groups to join in the same transaction.
    public var groups: [String]

    /// A user with no roles or groups unless given.
    public init(name: String, admin: Bool = false, blocked: Bool = false, wikiUserID: Int64? = nil,
                roles: [String] = [], groups: [String] = []) {
        self.name = name; self.admin = admin; self.blocked = blocked; self.wikiUserID = wikiUserID
        self.roles = roles; self.groups = groups
    }
}
