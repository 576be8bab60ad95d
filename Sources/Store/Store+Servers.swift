import GRDB

/// What it takes to create a server row (before its first start, or at `PUT …/servers/{name}`).
public struct NewServer: Sendable, Hashable {
    public var userID: UserID
    /// `""` for the default server.
    public var name: String
    public var displayName: String?
    public var userOptions: JSONObjectText

    /// A stopped server row.
    public init(userID: UserID, name: String = "", displayName: String? = nil, userOptions: JSONObjectText = .empty) {
        self.userID = userID; self.name = name; self.displayName = displayName; self.userOptions = userOptions
    }
}

/// A server with its owner's name, as start-up and listings need them together.
public struct OwnedServer: Sendable, Hashable {
    public var ownerName: String
    public var server: Server
}

extension Store {
    /// Creates a server row; `.alreadyExists(.server, "user/name")` if the user has one by that name,
    /// `.invalidReference` if the user is gone.
    public func createServer(_ new: NewServer) async throws -> Server {
        try await write(.server, key: "\(new.userID)/\(new.name)") { db in
            guard let server = try Server.fetchOne(db.cachedStatement(sql: """
                INSERT INTO servers (user_id, name, display_name, user_options) VALUES (?, ?, ?, ?) RETURNING *
                """), arguments: [new.userID, new.name, new.displayName, new.userOptions]) else {
                throw StoreError.database("insert returned no row")
            }
            return server
        }
    }

    /// The server of `userID` with this name (`""` = default), if any.
    public func server(userID: UserID, name: String) async throws -> Server? {
        try await read { db in
            try Server.fetchOne(db.cachedStatement(sql: "SELECT * FROM servers WHERE user_id = ? AND name = ?"),
                                arguments: [userID, name])
        }
    }

    /// The server with this id, if any.
    public func server(id: ServerID) async throws -> Server? {
        try await read { db in try Server.fetchOne(db, key: id.rawValue) }
    }

    /// All server rows of a user, default first then by name.
    public func servers(ofUser userID: UserID) async throws -> [Server] {
        try await read { db in
            try Server.fetchAll(db.cachedStatement(sql: "SELECT * FROM servers WHERE user_id = ? ORDER BY name"), arguments: [userID])
        }
    }

    /// Server rows of many users in one query (a page of user models); `activeOnly` skips stopped ones.
    public func servers(ofUsers users: [UserID], activeOnly: Bool) async throws -> [UserID: [Server]] {
        try await read { db in
            let filter = activeOnly ? "AND (ready = 1 OR pending IS NOT NULL)" : ""
            let servers = try Server.fetchAll(db, sql: """
                SELECT * FROM servers WHERE user_id IN (SELECT value FROM json_each(?)) \(filter) ORDER BY user_id, name
                """, arguments: [try JSONText.array(users.map(\.rawValue))])
            return Dictionary(grouping: servers, by: \.userID)
        }
    }

    /// Every running or transitioning server with its owner's name, by server id.
    public func activeServers() async throws -> [OwnedServer] {
        try await read { db in try Self.fetchActiveServers(db) }
    }

    /// Saves every field of `server` except `userID` and `lastActivity` (moved only by `bumpServerActivity`).
    /// Renames map to `.alreadyExists`; a ready server with a pending action is `.invalidValue`.
    public func updateServer(_ server: Server) async throws {
        try await write(.server, key: "\(server.userID)/\(server.name)") { db in
            do {
                try server.update(db, columns: [
                    Server.CodingKeys.name, .displayName, .url, .ip, .port, .baseURL, .started, .pending, .ready,
                    .state, .userOptions, .serverVersion,
                ])
            } catch RecordError.recordNotFound {
                throw StoreError.notFound(.server, String(server.id.rawValue))
            }
        }
    }

    /// Deletes a server row and, by cascade, its shares and share codes.
    public func deleteServer(id: ServerID) async throws {
        try await write(.server, key: String(id.rawValue)) { db in
            try db.execute(sql: "DELETE FROM servers WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError.notFound(.server, String(id.rawValue)) }
        }
    }

    /// Moves each server's `last_activity` forward (never back), in one transaction, and its owner's with it
    /// (JupyterHub keeps the user's activity ≥ their servers'). Returns how many servers changed.
    /// Built for the hub's batched activity flush: one cached statement, one commit for thousands of rows.
    @discardableResult
    public func bumpServerActivity(_ updates: [ServerID: Timestamp]) async throws -> Int {
        guard !updates.isEmpty else { return 0 }
        return try await write { db in
            let server = try db.cachedStatement(sql: """
                UPDATE servers SET last_activity = ?1 WHERE id = ?2 AND (last_activity IS NULL OR last_activity < ?1)
                """)
            let user = try db.cachedStatement(sql: """
                UPDATE users SET last_activity = ?1 WHERE id = (SELECT user_id FROM servers WHERE id = ?2)
                AND (last_activity IS NULL OR last_activity < ?1)
                """)
            var changed = 0
            for (id, time) in updates {
                try server.execute(arguments: [time, id])
                changed += db.changesCount
                try user.execute(arguments: [time, id])
            }
            return changed
        }
    }

    /// Walks the partial index of active rows: O(active servers), not O(every server row ever created).
    static func fetchActiveServers(_ db: Database) throws -> [OwnedServer] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT u.name AS owner_name, s.* FROM servers s INDEXED BY servers_active JOIN users u ON u.id = s.user_id
            WHERE s.ready = 1 OR s.pending IS NOT NULL ORDER BY s.id
            """)
        var result: [OwnedServer] = []
        while let row = try rows.next() {
            result.append(OwnedServer(ownerName: row["owner_name"], server: try Server(row: row)))
        }
        return result
    }
}
