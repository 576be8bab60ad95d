import GRDB

extension Store {
    /// Stores a new token; `.invalidReference` if the owner or client does not exist,
    /// `.alreadyExists(.token, …)` if the same hash is already stored.
    public func createToken(_ new: NewAPIToken) async throws -> APIToken {
        try await write(.token, key: "with prefix \(new.prefix)") { db in
            guard new.prefix.count == 4 else { throw StoreError.invalidValue("token prefix must be 4 characters") }
            let (userID, serviceID): (UserID?, ServiceID?) = switch new.owner {
            case let .user(id): (id, nil)
            case let .service(id): (nil, id)
            }
            guard let token = try APIToken.fetchOne(db.cachedStatement(sql: """
                INSERT INTO api_tokens (prefix, hashed, user_id, service_id, client_id, scopes, note, created, expires_at, session_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """), arguments: [new.prefix, new.hashed, userID, serviceID, new.clientID, try JSONText.array(new.scopes),
                                  new.note, Timestamp.now(), new.expiresAt, new.sessionID]) else {
                throw StoreError.database("insert returned no row")
            }
            return token
        }
    }

    /// Unexpired tokens whose first four characters are `prefix`: the candidates Auth hash-compares.
    public func tokens(withPrefix prefix: String, now: Timestamp = .now()) async throws -> [APIToken] {
        try await read { db in
            try APIToken.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM api_tokens WHERE prefix = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id
                """), arguments: [prefix, now])
        }
    }

    /// The token with this id, if any (expired or not).
    public func token(id: TokenID) async throws -> APIToken? {
        try await read { db in try APIToken.fetchOne(db, key: id.rawValue) }
    }

    /// Unexpired tokens of a user or service, by id.
    public func tokens(of owner: TokenOwner, now: Timestamp = .now()) async throws -> [APIToken] {
        try await read { db in
            let (column, id) = Self.ownerColumn(owner)
            return try APIToken.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM api_tokens WHERE \(column) = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id
                """), arguments: [id, now])
        }
    }

    /// Deletes one token; `.notFound(.token, "a<id>")` if absent.
    public func deleteToken(id: TokenID) async throws {
        try await write(.token, key: "a\(id)") { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError.notFound(.token, "a\(id)") }
        }
    }

    /// Deletes every token of `owner` issued by `clientID` (revoking one OAuth token revokes the grant).
    @discardableResult
    public func deleteTokens(of owner: TokenOwner, clientID: String) async throws -> Int {
        try await write(.token) { db in
            let (column, id) = Self.ownerColumn(owner)
            try db.execute(sql: "DELETE FROM api_tokens WHERE \(column) = ? AND client_id = ?", arguments: [id, clientID])
            return db.changesCount
        }
    }

    /// Deletes the tokens obtained in a browser session (logout). Returns how many.
    @discardableResult
    public func deleteTokens(sessionID: String) async throws -> Int {
        try await write(.token) { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE session_id = ?", arguments: [sessionID])
            return db.changesCount
        }
    }

    /// Deletes tokens that expired at or before `now`. Returns how many.
    @discardableResult
    public func deleteExpiredTokens(now: Timestamp = .now()) async throws -> Int {
        try await write(.token) { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }

    /// Moves each token's `last_activity` forward (never back), in one transaction.
    @discardableResult
    public func bumpTokenActivity(_ updates: [TokenID: Timestamp]) async throws -> Int {
        guard !updates.isEmpty else { return 0 }
        return try await write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE api_tokens SET last_activity = ?1 WHERE id = ?2 AND (last_activity IS NULL OR last_activity < ?1)
                """)
            var changed = 0
            for (id, time) in updates {
                try statement.execute(arguments: [time, id])
                changed += db.changesCount
            }
            return changed
        }
    }

    static func ownerColumn(_ owner: TokenOwner) -> (String, Int64) {
        switch owner {
        case let .user(id): return ("user_id", id.rawValue)
        case let .service(id): return ("service_id", id.rawValue)
        }
    }
}
