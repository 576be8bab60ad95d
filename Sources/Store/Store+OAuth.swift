import GRDB

/// What it takes to store an authorization code; Auth generates and hashes the code.
public struct NewOAuthCode: Sendable, Hashable {
    public var prefix: String
    public var hashed: String
    public var clientID: String
    public var userID: UserID
    public var redirectURI: String
    public var scopes: [String]
    public var sessionID: String?
    public var codeChallenge: String?
    public var codeChallengeMethod: String?
    public var expiresAt: Timestamp

    /// A code for `userID` at `clientID`, valid until `expiresAt`.
    public init(prefix: String, hashed: String, clientID: String, userID: UserID, redirectURI: String, scopes: [String],
                sessionID: String? = nil, codeChallenge: String? = nil, codeChallengeMethod: String? = nil, expiresAt: Timestamp) {
        self.prefix = prefix; self.hashed = hashed; self.clientID = clientID; self.userID = userID
        self.redirectURI = redirectURI; self.scopes = scopes; self.sessionID = sessionID
        self.codeChallenge = codeChallenge; self.codeChallengeMethod = codeChallengeMethod; self.expiresAt = expiresAt
    }
}

extension Store {
    /// Registers the client or updates the one with this identifier (a server's client is re-registered at
    /// each start with its new secret).
    @discardableResult
    public func saveOAuthClient(identifier: String, description: String?, secretHash: String?, redirectURI: String?,
                                allowedScopes: [String] = []) async throws -> OAuthClient {
        try await write(.oauthClient, key: identifier) { db in
            guard let client = try OAuthClient.fetchOne(db, sql: """
                INSERT INTO oauth_clients (identifier, description, secret, redirect_uri, allowed_scopes, created)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (identifier) DO UPDATE SET description = excluded.description, secret = excluded.secret,
                    redirect_uri = excluded.redirect_uri, allowed_scopes = excluded.allowed_scopes
                RETURNING *
                """, arguments: [identifier, description, secretHash, redirectURI, try JSONText.array(allowedScopes), Timestamp.now()]) else {
                throw StoreError.database("upsert returned no row")
            }
            return client
        }
    }

    /// The client with this `client_id`, if any.
    public func oauthClient(identifier: String) async throws -> OAuthClient? {
        try await read { db in
            try OAuthClient.fetchOne(db.cachedStatement(sql: "SELECT * FROM oauth_clients WHERE identifier = ?"), arguments: [identifier])
        }
    }

    /// All clients by id.
    public func oauthClients() async throws -> [OAuthClient] {
        try await read { db in try OAuthClient.order(OAuthClient.CodingKeys.id).fetchAll(db) }
    }

    /// Deletes a client with its tokens and codes. The hub's own client (`jupyterhub`) cannot be deleted.
    public func deleteOAuthClient(identifier: String) async throws {
        guard identifier != OAuthClient.hubClientIdentifier else {
            throw StoreError.invalidValue("the \(identifier) OAuth client owns every API token and cannot be deleted")
        }
        try await write(.oauthClient, key: identifier) { db in
            try db.execute(sql: "DELETE FROM oauth_clients WHERE identifier = ?", arguments: [identifier])
            if db.changesCount == 0 { throw StoreError.notFound(.oauthClient, identifier) }
        }
    }

    /// Stores an authorization code; `.invalidReference` if the client or user is gone.
    public func createOAuthCode(_ new: NewOAuthCode) async throws -> OAuthCode {
        try await write(.oauthCode, key: "with prefix \(new.prefix)") { db in
            guard new.prefix.count == 4 else { throw StoreError.invalidValue("code prefix must be 4 characters") }
            guard let code = try OAuthCode.fetchOne(db, sql: """
                INSERT INTO oauth_codes (prefix, hashed, client_id, user_id, redirect_uri, scopes, session_id,
                    code_challenge, code_challenge_method, created, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """, arguments: [new.prefix, new.hashed, new.clientID, new.userID, new.redirectURI, try JSONText.array(new.scopes),
                                 new.sessionID, new.codeChallenge, new.codeChallengeMethod, Timestamp.now(), new.expiresAt]) else {
                throw StoreError.database("insert returned no row")
            }
            return code
        }
    }

    /// Unexpired codes with this prefix: the candidates Auth hash-compares.
    public func oauthCodes(withPrefix prefix: String, now: Timestamp = .now()) async throws -> [OAuthCode] {
        try await read { db in
            try OAuthCode.fetchAll(db.cachedStatement(sql: "SELECT * FROM oauth_codes WHERE prefix = ? AND expires_at > ? ORDER BY id"),
                                   arguments: [prefix, now])
        }
    }

    /// Deletes a code (it is single-use). Returns false if it was already gone — a concurrent exchange won.
    @discardableResult
    public func deleteOAuthCode(id: OAuthCodeID) async throws -> Bool {
        try await write(.oauthCode) { db in
            try db.execute(sql: "DELETE FROM oauth_codes WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Deletes codes that expired at or before `now`. Returns how many.
    @discardableResult
    public func deleteExpiredOAuthCodes(now: Timestamp = .now()) async throws -> Int {
        try await write(.oauthCode) { db in
            try db.execute(sql: "DELETE FROM oauth_codes WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }
}
