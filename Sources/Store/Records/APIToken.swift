import GRDB

/// Whose credential a token is.
public enum TokenOwner: Hashable, Sendable {
    case user(UserID)
    case service(ServiceID)
}

/// An API or OAuth access token (table `api_tokens`). Only the hash is stored.
public struct APIToken: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "api_tokens"
    public var id: TokenID
    /// First 4 characters of the token, for indexed lookup.
    public var prefix: String
    /// `sha512:<rounds>:<salt>:<hex>`, computed and checked by Auth.
    public var hashed: String
    public var userID: UserID?
    public var serviceID: ServiceID?
    /// OAuth client that issued it; `jupyterhub` for plain API tokens.
    public var clientID: String
    public var scopes: [String]
    public var note: String?
    public var created: Timestamp
    public var expiresAt: Timestamp?
    public var lastActivity: Timestamp?
    /// Browser session that obtained it (logout deletes these).
    public var sessionID: String?

    /// The user or service owning the token.
    public var owner: TokenOwner? {
        if let userID { return .user(userID) }
        return serviceID.map(TokenOwner.service)
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, prefix, hashed, userID = "user_id", serviceID = "service_id", clientID = "client_id", scopes, note
        case created, expiresAt = "expires_at", lastActivity = "last_activity", sessionID = "session_id"
    }
}

/// What it takes to store a new token; Auth generates and hashes the secret.
public struct NewAPIToken: Sendable, Hashable {
    public var prefix: String
    public var hashed: String
    public var owner: TokenOwner
    public var clientID: String
    public var scopes: [String]
    public var note: String?
    public var expiresAt: Timestamp?
    public var sessionID: String?

    /// A token of `owner`; `clientID` defaults to the hub's own client.
    public init(prefix: String, hashed: String, owner: TokenOwner, clientID: String = "jupyterhub",
                scopes: [String], note: String? = nil, expiresAt: Timestamp? = nil, sessionID: String? = nil) {
        self.prefix = prefix; self.hashed = hashed; self.owner = owner; self.clientID = clientID
        self.scopes = scopes; self.note = note; self.expiresAt = expiresAt; self.sessionID = sessionID
    }
}
