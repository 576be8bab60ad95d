import GRDB

// The hub's server lifecycle writes, each in one transaction: a storm of hundreds of simultaneous starts pays one
// commit per step instead of several, and a crash never leaves half a step behind.

/// What a start records about a server before its spawner runs.
public struct SpawnStart: Sendable, Hashable {
    public var userID: UserID
    /// `""` for the default server.
    public var name: String
    /// Display name for a newly created row; an existing row keeps its own unless `newDisplayName` is set.
    public var displayNameIfCreated: String?
    /// Replaces the stored display name.
    public var newDisplayName: String?
    /// Replaces the stored options; nil keeps them.
    public var userOptions: JSONObjectText?
    public var at: Timestamp

    /// A start of `userID`'s server `name` at `at`.
    public init(userID: UserID, name: String, displayNameIfCreated: String?, newDisplayName: String?,
                userOptions: JSONObjectText?, at: Timestamp) {
        self.userID = userID; self.name = name; self.displayNameIfCreated = displayNameIfCreated
        self.newDisplayName = newDisplayName; self.userOptions = userOptions; self.at = at
    }
}

/// A server's credentials: its API token and the OAuth client whose secret it is.
public struct ServerCredentials: Sendable, Hashable {
    public var token: NewAPIToken
    public var clientIdentifier: String
    public var clientDescription: String
    public var clientSecretHash: String
    public var redirectURI: String
    public var allowedScopes: [String]

    /// Credentials to store together.
    public init(token: NewAPIToken, clientIdentifier: String, clientDescription: String, clientSecretHash: String,
                redirectURI: String, allowedScopes: [String]) {
        self.token = token; self.clientIdentifier = clientIdentifier; self.clientDescription = clientDescription
        self.clientSecretHash = clientSecretHash; self.redirectURI = redirectURI; self.allowedScopes = allowedScopes
    }
}

extension Store {
    /// Records a start: creates the row if needed, marks it pending `spawn` (not ready) with `started` and the
    /// server's and owner's `last_activity` at `start.at`, and applies new options/display name; with
    /// `credentials`, stores the server's token and OAuth client in the same transaction (one commit per start
    /// instead of two). Returns the row.
    public func beginSpawn(_ start: SpawnStart, credentials: ServerCredentials? = nil) async throws -> Server {
        try await write(.server, key: "\(start.userID)/\(start.name)") { db in
            if let credentials { try Self.insertServerCredentials(credentials, in: db) }
            guard let server = try Server.fetchOne(db.cachedStatement(sql: """
                INSERT INTO servers (user_id, name, display_name, user_options, pending, ready, started, last_activity)
                VALUES (?1, ?2, COALESCE(?4, ?3), COALESCE(?5, '{}'), 'spawn', 0, ?6, ?6)
                ON CONFLICT (user_id, name) DO UPDATE SET
                    pending = 'spawn', ready = 0, started = ?6,
                    last_activity = CASE WHEN last_activity IS NULL OR last_activity < ?6 THEN ?6 ELSE last_activity END,
                    display_name = COALESCE(?4, display_name), user_options = COALESCE(?5, user_options)
                RETURNING *
                """), arguments: [start.userID, start.name, start.displayNameIfCreated, start.newDisplayName,
                                  start.userOptions, start.at]) else {
                throw StoreError.database("upsert returned no row")
            }
            try db.cachedStatement(sql: """
                UPDATE users SET last_activity = ?1 WHERE id = ?2 AND (last_activity IS NULL OR last_activity < ?1)
                """).execute(arguments: [start.at, start.userID])
            return server
        }
    }

    /// Stores a server's API token and registers (or re-registers) its OAuth client, together.
    public func saveServerCredentials(_ credentials: ServerCredentials) async throws {
        try await write(.token, key: "with prefix \(credentials.token.prefix)") { db in
            try Self.insertServerCredentials(credentials, in: db)
        }
    }

    /// The token row and the client upsert, inside the caller's transaction.
    private static func insertServerCredentials(_ credentials: ServerCredentials, in db: Database) throws {
        let token = credentials.token
        guard token.prefix.count == 4 else { throw StoreError.invalidValue("token prefix must be 4 characters") }
        guard case .user(let userID) = token.owner else {
            throw StoreError.invalidValue("server tokens belong to users")
        }
        // Cached statements: in a spawn storm these run hundreds of times a second on the writer.
        try db.cachedStatement(sql: """
            INSERT INTO api_tokens (prefix, hashed, user_id, client_id, scopes, note, created)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [token.prefix, token.hashed, userID, token.clientID, try JSONText.array(token.scopes),
                             token.note, Timestamp.now()])
        try db.cachedStatement(sql: """
            INSERT INTO oauth_clients (identifier, description, secret, redirect_uri, allowed_scopes, created)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (identifier) DO UPDATE SET description = excluded.description, secret = excluded.secret,
                redirect_uri = excluded.redirect_uri, allowed_scopes = excluded.allowed_scopes
            """).execute(arguments: [credentials.clientIdentifier, credentials.clientDescription, credentials.clientSecretHash,
                             credentials.redirectURI, try JSONText.array(credentials.allowedScopes), Timestamp.now()])
    }
}
