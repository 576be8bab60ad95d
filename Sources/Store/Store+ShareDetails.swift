import GRDB

/// A share with what its REST model shows: the shared server, its owner and the grantee's name.
public struct ShareDetail: Sendable, Hashable {
    public var share: Share
    public var server: Server
    public var ownerName: String
    /// Name of the user or group the share is for.
    public var granteeName: String

    /// A share with its server, the server's owner and the grantee's name.
    public init(share: Share, server: Server, ownerName: String, granteeName: String) {
        self.share = share; self.server = server; self.ownerName = ownerName; self.granteeName = granteeName
    }
}

/// A share code with its server and the server's owner.
public struct ShareCodeDetail: Sendable, Hashable {
    public var code: ShareCode
    public var server: Server
    public var ownerName: String

    /// A code with its server and the server's owner.
    public init(code: ShareCode, server: Server, ownerName: String) {
        self.code = code; self.server = server; self.ownerName = ownerName
    }
}

/// Which share codes to list.
public enum ShareCodeQuery: Sendable, Hashable {
    /// Codes of one server.
    case server(ServerID)
    /// Codes of every server a user owns.
    case owner(UserID)

    var condition: (String, StatementArguments) {
        switch self {
        case let .server(id): return ("server_id = ?", [id])
        case let .owner(id): return ("server_id IN (SELECT id FROM servers WHERE user_id = ?)", [id])
        }
    }
}

extension Store {
    /// One page of shares matching `query` with their servers and names, by id. A constant number of
    /// queries per page (never one per row) in one read transaction, so names and shares agree.
    public func shareDetails(_ query: ShareQuery, page: PageRequest = .all) async throws -> Page<ShareDetail> {
        try await read { db in
            let (condition, arguments) = query.condition
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM shares WHERE \(condition)", arguments: arguments) ?? 0
            let shares = try Share.fetchAll(db, sql: "SELECT * FROM shares WHERE \(condition) ORDER BY id LIMIT ? OFFSET ?",
                                            arguments: arguments + [page.sqlLimit, page.sqlOffset])
            let servers = try Self.sharedServersWithOwners(db, ids: shares.map(\.serverID.rawValue))
            let userNames = try Self.sharingNames(db, table: "users", ids: shares.compactMap(\.userID?.rawValue))
            let groupNames = try Self.sharingNames(db, table: "groups", ids: shares.compactMap(\.groupID?.rawValue))
            let items: [ShareDetail] = shares.compactMap { share in
                guard case let (server, owner)? = servers[share.serverID] else { return nil }
                let grantee: String? = if let id = share.userID { userNames[id.rawValue] } else { share.groupID.flatMap { groupNames[$0.rawValue] } }
                guard let grantee else { return nil }
                return ShareDetail(share: share, server: server, ownerName: owner, granteeName: grantee)
            }
            return Page(items: items, total: total, offset: page.sqlOffset)
        }
    }

    /// One page of unexpired share codes matching `query` with their servers, by id, with the total.
    public func shareCodeDetails(_ query: ShareCodeQuery, page: PageRequest = .all, now: Timestamp = .now()) async throws -> Page<ShareCodeDetail> {
        try await read { db in
            let (condition, arguments) = query.condition
            let live = "\(condition) AND expires_at > ?"
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM share_codes WHERE \(live)", arguments: arguments + [now]) ?? 0
            let codes = try ShareCode.fetchAll(db, sql: "SELECT * FROM share_codes WHERE \(live) ORDER BY id LIMIT ? OFFSET ?",
                                               arguments: arguments + [now, page.sqlLimit, page.sqlOffset])
            let servers = try Self.sharedServersWithOwners(db, ids: codes.map(\.serverID.rawValue))
            let items: [ShareCodeDetail] = codes.compactMap { code in
                guard case let (server, owner)? = servers[code.serverID] else { return nil }
                return ShareCodeDetail(code: code, server: server, ownerName: owner)
            }
            return Page(items: items, total: total, offset: page.sqlOffset)
        }
    }

    /// The share and its details for one server and grantee, if any.
    public func shareDetail(serverID: ServerID, grantee: ShareGrantee) async throws -> ShareDetail? {
        let query: ShareQuery = switch grantee {
        case let .user(id): .grantedToUser(id, viaGroups: false)
        case let .group(id): .grantedToGroup(id)
        }
        return try await read { db in
            let (condition, arguments) = query.condition
            guard let share = try Share.fetchOne(db, sql: "SELECT * FROM shares WHERE \(condition) AND server_id = ?",
                                                 arguments: arguments + [serverID]) else { return nil }
            guard case let (server, owner)? = try Self.sharedServersWithOwners(db, ids: [serverID.rawValue])[serverID] else { return nil }
            let name: String? = switch grantee {
            case let .user(id): try Self.sharingNames(db, table: "users", ids: [id.rawValue])[id.rawValue]
            case let .group(id): try Self.sharingNames(db, table: "groups", ids: [id.rawValue])[id.rawValue]
            }
            return name.map { ShareDetail(share: share, server: server, ownerName: owner, granteeName: $0) }
        }
    }

    /// The unexpired share code with this id on `serverID`, if any.
    public func shareCode(id: ShareCodeID, serverID: ServerID, now: Timestamp = .now()) async throws -> ShareCode? {
        try await read { db in
            try ShareCode.fetchOne(db, sql: "SELECT * FROM share_codes WHERE id = ? AND server_id = ? AND expires_at > ?",
                                   arguments: [id, serverID, now])
        }
    }

    /// Server rows (with their owners' names) for a set of server ids.
    static func sharedServersWithOwners(_ db: Database, ids: [Int64]) throws -> [ServerID: (Server, String)] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(db, sql: """
            SELECT servers.*, users.name AS owner_name FROM servers JOIN users ON users.id = servers.user_id
            WHERE servers.id IN (SELECT value FROM json_each(?))
            """, arguments: [try JSONText.array(Array(Set(ids)))])
        var out: [ServerID: (Server, String)] = [:]
        for row in rows {
            let server = try Server(row: row)
            out[server.id] = (server, row["owner_name"])
        }
        return out
    }

    /// `name` by id from `users` or `groups` for a set of ids.
    static func sharingNames(_ db: Database, table: String, ids: [Int64]) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        precondition(table == "users" || table == "groups", "sharingNames(table:) reads users or groups only")
        let rows = try Row.fetchAll(db, sql: "SELECT id, name FROM \(table) WHERE id IN (SELECT value FROM json_each(?))",
                                    arguments: [try JSONText.array(Array(Set(ids)))])
        var out: [Int64: String] = [:]
        for row in rows { out[row[0]] = row[1] }
        return out
    }
}

// MARK: - Atomic grant, revoke and exchange

/// The result of revoking scopes from a share.
public enum ShareRevocation: Sendable, Hashable {
    /// There was no share for that grantee.
    case noShare
    /// Scopes remain; the updated (or unchanged) share.
    case remaining(Share)
    /// No scopes remain; the share was deleted.
    case deleted
}

extension Store {
    /// Adds `scopes` to the grantee's share of `serverID` (creating it), in one transaction so concurrent
    /// grants never lose each other's scopes. Scopes are kept sorted and unique, as JupyterHub stores them.
    @discardableResult
    public func grantShare(serverID: ServerID, grantee: ShareGrantee, scopes: [String]) async throws -> Share {
        try await write(.share, key: "on server \(serverID)") { db in
            try Self.mergeShare(db, serverID: serverID, grantee: grantee, scopes: scopes)
        }
    }

    /// Removes `scopes` (nil = all) from the grantee's share of `serverID`; deletes it when none remain.
    public func revokeShare(serverID: ServerID, grantee: ShareGrantee, scopes: [String]?) async throws -> ShareRevocation {
        try await write(.share, key: "on server \(serverID)") { db in
            let (column, id) = Self.granteeColumn(grantee)
            guard let share = try Share.fetchOne(db, sql: "SELECT * FROM shares WHERE server_id = ? AND \(column) = ?",
                                                 arguments: [serverID, id]) else { return .noShare }
            let remaining = scopes.map { revoked in share.scopes.filter { !revoked.contains($0) } } ?? []
            if remaining.isEmpty {
                try db.execute(sql: "DELETE FROM shares WHERE id = ?", arguments: [share.id])
                return .deleted
            }
            if remaining == share.scopes { return .remaining(share) }
            try db.execute(sql: "UPDATE shares SET scopes = ? WHERE id = ?", arguments: [try JSONText.array(remaining), share.id])
            var updated = share
            updated.scopes = remaining
            return .remaining(updated)
        }
    }

    /// Exchanges an unexpired share code for a share of its server (merging scopes) and counts the
    /// exchange, in one transaction; `.notFound(.shareCode, …)` if the code expired or was revoked meanwhile.
    public func exchangeShareCode(id: ShareCodeID, grantee: ShareGrantee, now: Timestamp = .now()) async throws -> Share {
        try await write(.shareCode, key: "sc_\(id)") { db in
            guard let code = try ShareCode.fetchOne(db, sql: "SELECT * FROM share_codes WHERE id = ? AND expires_at > ?",
                                                    arguments: [id, now]) else {
                throw StoreError.notFound(.shareCode, "sc_\(id)")
            }
            let share = try Self.mergeShare(db, serverID: code.serverID, grantee: grantee, scopes: code.scopes)
            try db.execute(sql: "UPDATE share_codes SET exchange_count = exchange_count + 1, last_exchanged_at = ? WHERE id = ?",
                           arguments: [now, id])
            return share
        }
    }

    private static func mergeShare(_ db: Database, serverID: ServerID, grantee: ShareGrantee, scopes: [String]) throws -> Share {
        let (column, id) = granteeColumn(grantee)
        let existing = try Share.fetchOne(db, sql: "SELECT * FROM shares WHERE server_id = ? AND \(column) = ?",
                                          arguments: [serverID, id])
        let merged = Array(Set(scopes).union(existing?.scopes ?? [])).sorted()
        if let existing, merged == existing.scopes { return existing }
        guard let share = try Share.fetchOne(db, sql: """
            INSERT INTO shares (server_id, \(column), scopes, created) VALUES (?, ?, ?, ?)
            ON CONFLICT (server_id, \(column)) DO UPDATE SET scopes = excluded.scopes
            RETURNING *
            """, arguments: [serverID, id, try JSONText.array(merged), Timestamp.now()]) else {
            throw StoreError.database("upsert returned no row")
        }
        return share
    }

    private static func granteeColumn(_ grantee: ShareGrantee) -> (String, Int64) {
        switch grantee {
        case let .user(id): return ("user_id", id.rawValue)
        case let .group(id): return ("group_id", id.rawValue)
        }
    }
}
