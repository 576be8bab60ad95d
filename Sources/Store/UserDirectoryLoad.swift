// Reading users with their roles, groups and servers: everything at once (one query per table) or a
// set of users by id (the same four queries, narrowed). Orders match the Store's per-user queries.
import GRDB

enum UserDirectoryLoad {
    /// `WHERE column = ?` for one id (a cached statement; the usual single-user commit), a JSON list otherwise.
    private static func narrowed(_ column: String, _ ids: [UserID]?) throws -> (String, StatementArguments) {
        guard let ids else { return ("", []) }
        if ids.count == 1 { return ("WHERE \(column) = ?", [ids[0]]) }
        return ("WHERE \(column) IN (SELECT value FROM json_each(?))", [try JSONText.array(ids.map(\.rawValue))])
    }

    /// `ids` nil = every user. Returns views by user id; a requested id with no row is absent (deleted).
    static func views(_ ids: [UserID]?, _ db: Database) throws -> [UserID: UserView] {
        var views: [UserID: UserView] = [:]
        for user in try users(ids, db).values { views[user.id] = UserView(user: user, groups: [], roles: [], servers: []) }
        for (id, servers) in try servers(ofUsers: ids, db) { views[id]?.servers = servers }
        for (id, names) in try roleNames(ofUsers: ids, db) { views[id]?.roles = names }
        for (id, names) in try groupNames(ofUsers: ids, db) { views[id]?.groups = names }
        return views
    }

    /// User rows by id.
    static func users(_ ids: [UserID]?, _ db: Database) throws -> [UserID: User] {
        let (filter, arguments) = try narrowed("id", ids)
        var result: [UserID: User] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT * FROM users \(filter)"), arguments: arguments)
        while let row = try rows.next() {
            let user = try User(tableOrder: row)
            result[user.id] = user
        }
        return result
    }

    /// Server rows of each user, by name.
    static func servers(ofUsers ids: [UserID]?, _ db: Database) throws -> [UserID: [Server]] {
        let (filter, arguments) = try narrowed("user_id", ids)
        var result: [UserID: [Server]] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT * FROM servers \(filter) ORDER BY user_id, name"),
                                       arguments: arguments)
        while let row = try rows.next() {
            let server = try Server(tableOrder: row)
            result[server.userID, default: []].append(server)
        }
        return result
    }

    /// Direct role names of each user, by role id.
    static func roleNames(ofUsers ids: [UserID]?, _ db: Database) throws -> [UserID: [String]] {
        let (filter, arguments) = try narrowed("m.user_id", ids)
        return try names(db, arguments, """
            SELECT m.user_id, r.name FROM user_role_map m JOIN roles r ON r.id = m.role_id \(filter) ORDER BY m.user_id, r.id
            """)
    }

    /// Group names of each user, by group id.
    static func groupNames(ofUsers ids: [UserID]?, _ db: Database) throws -> [UserID: [String]] {
        let (filter, arguments) = try narrowed("m.user_id", ids)
        return try names(db, arguments, """
            SELECT m.user_id, g.name FROM user_group_map m JOIN groups g ON g.id = m.group_id \(filter) ORDER BY m.user_id, g.id
            """)
    }

    private static func names(_ db: Database, _ arguments: StatementArguments, _ sql: String) throws -> [UserID: [String]] {
        var result: [UserID: [String]] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() { result[UserID(row[0]), default: []].append(row[1]) }
        return result
    }

    /// The whole directory, streamed from one ordered query per table straight into place (no per-user
    /// temporaries: a cold start with 10,000 users should not leave megabytes of freed heap behind).
    static func all(_ db: Database) throws -> DirectoryState {
        var state = DirectoryState()
        state.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0)
        let users = try Row.fetchCursor(db, sql: "SELECT * FROM users ORDER BY id")
        while let row = try users.next() { state.append(try User(tableOrder: row)) }

        try grouped(Row.fetchCursor(db, sql: "SELECT * FROM servers ORDER BY user_id, name"),
                    key: { UserID($0[1]) }, value: { try Server(tableOrder: $0) }) { state.setServers($1, of: $0) }
        try grouped(Row.fetchCursor(db, sql: """
            SELECT m.user_id, r.name FROM user_role_map m JOIN roles r ON r.id = m.role_id ORDER BY m.user_id, r.id
            """), key: { UserID($0[0]) }, value: { $0[1] as String }) { state.setRoles($1, of: $0) }
        try grouped(Row.fetchCursor(db, sql: """
            SELECT m.user_id, g.name FROM user_group_map m JOIN groups g ON g.id = m.group_id ORDER BY m.user_id, g.id
            """), key: { UserID($0[0]) }, value: { $0[1] as String }) { state.setGroups($1, of: $0) }
        return state
    }

    /// Runs of rows with the same key (the cursor is ordered by key), handed over one run at a time.
    private static func grouped<V>(_ rows: RowCursor, key: (Row) -> UserID, value: (Row) throws -> V,
                                   _ each: (UserID, [V]) -> Void) throws {
        var current: UserID? = nil
        var run: [V] = []
        while let row = try rows.next() {
            let id = key(row)
            if id != current {
                if let current { each(current, run) }
                current = id
                run = []
            }
            run.append(try value(row))
        }
        if let current { each(current, run) }
    }
}
