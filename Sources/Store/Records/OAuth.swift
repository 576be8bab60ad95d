import GRDB

/// An OAuth client registered with the hub's provider (table `oauth_clients`).
public struct OAuthClient: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "oauth_clients"
    /// The client every non-OAuth API token belongs to; it cannot be deleted.
    public static let hubClientIdentifier = "jupyterhub"
    public var id: OAuthClientID
    /// The `client_id`, e.g. `jupyterhub-user-alice`.
    public var identifier: String
    public var description: String?
    /// Hash of the client secret (`sha512:…`), checked by Auth.
    public var secret: String?
    /// The one redirect URI a code may be sent to (exact match).
    public var redirectURI: String?
    public var allowedScopes: [String]
    public var created: Timestamp

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, identifier, description, secret, redirectURI = "redirect_uri", allowedScopes = "allowed_scopes", created
    }
}

/// A pending OAuth authorization code (table `oauth_codes`); stored hashed like tokens.
public struct OAuthCode: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "oauth_codes"
    public var id: OAuthCodeID
    public var prefix: String
    public var hashed: String
    public var clientID: String
    public var userID: UserID
    public var redirectURI: String
    public var scopes: [String]
    public var sessionID: String?
    /// PKCE challenge, if the client sent one.
    public var codeChallenge: String?
    public var codeChallengeMethod: String?
    public var created: Timestamp
    public var expiresAt: Timestamp

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, prefix, hashed, clientID = "client_id", userID = "user_id", redirectURI = "redirect_uri", scopes
        case sessionID = "session_id", codeChallenge = "code_challenge", codeChallengeMethod = "code_challenge_method"
        case created, expiresAt = "expires_at"
    }
}
