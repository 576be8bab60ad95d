import GRDB

/// What it takes to store a share code; Auth generates and hashes the code.
public struct NewShareCode: Sendable, Hashable {
    public var serverID: ServerID
    public var prefix: String
    public var hashed: String
    public var scopes: [String]
    public var expiresAt: Timestamp

    /// A code granting `scopes` on `serverID` until `expiresAt`.
    public init(serverID: ServerID, prefix: String, hashed: String, scopes: [String], expiresAt: Timestamp) {
        self.serverID = serverID; self.prefix = prefix; self.hashed = hashed; self.scopes = scopes; self.expiresAt = expiresAt
    }
}

/// Which shares to list.
public enum ShareQuery: Sendable, Hashable {
    /// Shares of one server.
    case server(ServerID)
    /// Shares of every server a user owns.
    case owner(UserID)
    /// Shares granted to a user, directly or (if `viaGroups`) through their groups.
    case grantedToUser(UserID, viaGroups: Bool)
    /// Shares granted to a group.
    case grantedToGroup(GroupID)

    var condition: (String, StatementArguments) {
        switch self {
        case let .server(id): return ("server_id = ?", [id])
        case let .owner(id): return ("server_id IN (SELECT id FROM servers WHERE user_id = ?)", [id])
        case let .grantedToUser(id, false): return ("user_id = ?", [id])
        case let .grantedToUser(id, true):
            return ("(user_id = ? OR group_id IN (SELECT group_id FROM user_group_map WHERE user_id = ?))", [id, id])
        case let .grantedToGroup(id): return ("group_id = ?", [id])
        }
    }
}

extension Store {
    /// Grants `scopes` on a server to a user or group: creates the share, or replaces the scopes of the
    /// existing one (keeping its creation time). Merging scopes is the caller's policy.
    @discardableResult
    public func saveShare(serverID: ServerID, grantee: ShareGrantee, scopes: [String]) async throws -> Share {
        try await write(.share, key: "on server \(serverID)") { db in
            let (column, id): (String, Int64) = switch grantee {
            case let .user(id): ("user_id", id.rawValue)
            case let .group(id): ("group_id", id.rawValue)
            }
            guard let share = try Share.fetchOne(db, sql: """
                INSERT INTO shares (server_id, \(column), scopes, created) VALUES (?, ?, ?, ?)
                ON CONFLICT (server_id, \(column)) DO UPDATE SET scopes = excluded.scopes
                RETURNING *
                """, arguments: [serverID, id, try JSONText.array(scopes), Timestamp.now()]) else {
                throw StoreError.database("upsert returned no row")
            }
            return share
        }
    }

    /// The share of `serverID` with this grantee, if any.
    public func share(serverID: ServerID, grantee: ShareGrantee) async throws -> Share? {
        try await read { db in
            let (column, id): (String, Int64) = switch grantee {
            case let .user(id): ("user_id", id.rawValue)
            case let .group(id): ("group_id", id.rawValue)
            }
            return try Share.fetchOne(db, sql: "SELECT * FROM shares WHERE server_id = ? AND \(column) = ?", arguments: [serverID, id])
        }
    }

    /// One page of shares matching `query`, by id, with the total.
    public func shares(_ query: ShareQuery, page: PageRequest = .all) async throws -> Page<Share> {
        try await read { db in
            let (condition, arguments) = query.condition
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM shares WHERE \(condition)", arguments: arguments) ?? 0
            let items = try Share.fetchAll(db, sql: "SELECT * FROM shares WHERE \(condition) ORDER BY id LIMIT ? OFFSET ?",
                                           arguments: arguments + [page.sqlLimit, page.sqlOffset])
            return Page(items: items, total: total, offset: page.sqlOffset)
        }
    }

    /// Deletes one share; returns false if it did not exist.
    @discardableResult
    public func deleteShare(id: ShareID) async throws -> Bool {
        try await write(.share) { db in
            try db.execute(sql: "DELETE FROM shares WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Deletes every share of a server. Returns how many.
    @discardableResult
    public func deleteShares(serverID: ServerID) async throws -> Int {
        try await write(.share) { db in
            try db.execute(sql: "DELETE FROM shares WHERE server_id = ?", arguments: [serverID])
            return db.changesCount
        }
    }

    // MARK: - Share codes

    /// Stores a share code; `.invalidReference` if the server is gone.
    public func createShareCode(_ new: NewShareCode) async throws -> ShareCode {
        try await write(.shareCode, key: "with prefix \(new.prefix)") { db in
            guard new.prefix.count == 4 else { throw StoreError.invalidValue("share code prefix must be 4 characters") }
            guard let code = try ShareCode.fetchOne(db, sql: """
                INSERT INTO share_codes (server_id, prefix, hashed, scopes, created, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *
                """, arguments: [new.serverID, new.prefix, new.hashed, try JSONText.array(new.scopes), Timestamp.now(), new.expiresAt]) else {
                throw StoreError.database("insert returned no row")
            }
            return code
        }
    }

    /// Unexpired share codes with this prefix: the candidates Auth hash-compares.
    public func shareCodes(withPrefix prefix: String, now: Timestamp = .now()) async throws -> [ShareCode] {
        try await read { db in
            try ShareCode.fetchAll(db.cachedStatement(sql: "SELECT * FROM share_codes WHERE prefix = ? AND expires_at > ? ORDER BY id"),
                                   arguments: [prefix, now])
        }
    }

    /// One page of a server's unexpired share codes, by id, with the total.
    public func shareCodes(serverID: ServerID, page: PageRequest = .all, now: Timestamp = .now()) async throws -> Page<ShareCode> {
        try await read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM share_codes WHERE server_id = ? AND expires_at > ?",
                                         arguments: [serverID, now]) ?? 0
            let items = try ShareCode.fetchAll(db, sql: """
                SELECT * FROM share_codes WHERE server_id = ? AND expires_at > ? ORDER BY id LIMIT ? OFFSET ?
                """, arguments: [serverID, now, page.sqlLimit, page.sqlOffset])
            return Page(items: items, total: total, offset: page.sqlOffset)
        }
    }

    /// Records one exchange of a code at `time`; `.notFound` if it is gone.
    public func recordShareCodeExchange(id: ShareCodeID, at time: Timestamp = .now()) async throws {
        try await write(.shareCode, key: "sc_\(id)") { db in
            try db.execute(sql: "UPDATE share_codes SET exchange_count = exchange_count + 1, last_exchanged_at = ? WHERE id = ?",
                           arguments: [time, id])
            if db.changesCount == 0 { throw StoreError.notFound(.shareCode, "sc_\(id)") }
        }
    }

    /// Deletes one share code; returns false if it did not exist.
    @discardableResult
    public func deleteShareCode(id: ShareCodeID) async throws -> Bool {
        try await write(.shareCode) { db in
            try db.execute(sql: "DELETE FROM share_codes WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Deletes every share code of a server. Returns how many.
    @discardableResult
    public func deleteShareCodes(serverID: ServerID) async throws -> Int {
        try await write(.shareCode) { db in
            try db.execute(sql: "DELETE FROM share_codes WHERE server_id = ?", arguments: [serverID])
            return db.changesCount
        }
    }

    /// Deletes share codes that expired at or before `now`. Returns how many.
    @discardableResult
    public func deleteExpiredShareCodes(now: Timestamp = .now()) async throws -> Int {
        try await write(.shareCode) { db in
            try db.execute(sql: "DELETE FROM share_codes WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }
}
