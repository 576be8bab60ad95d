// Reading users with their roles, groups and servers: everything at once (one query per table) or a
// set of users by id (the same four queries, narrowed). Orders match the Store's per-user queries.
import GRDB

enum UserDirectoryLoad {
    /// `ids` nil = every user. Returns views by user id; a requested id with no row is absent (deleted).
    static func views(_ ids: [UserID]?, _ db: Database) throws -> [UserID: UserView] {
        let json = try ids.map { try JSONText.array($0.map(\.rawValue)) }
        func narrowed(_ column: String) -> String { json == nil ? "" : "WHERE \(column) IN (SELECT value FROM json_each(?))" }
        let arguments: StatementArguments = json.map { [$0] } ?? []

        let users = try User.fetchAll(db, sql: "SELECT * FROM users \(narrowed("id")) ORDER BY id", arguments: arguments)
        var views: [UserID: UserView] = [:]
        views.reserveCapacity(users.count)
        for user in users { views[user.id] = UserView(user: user, groups: [], roles: [], servers: []) }

        let servers = try Server.fetchCursor(
            db, sql: "SELECT * FROM servers \(narrowed("user_id")) ORDER BY user_id, name", arguments: arguments)
        while let server = try servers.next() { views[server.userID]?.servers.append(server) }

        let roles = try Row.fetchCursor(db, sql: """
            SELECT m.user_id, r.name FROM user_role_map m JOIN roles r ON r.id = m.role_id \(narrowed("m.user_id"))
            ORDER BY m.user_id, r.id
            """, arguments: arguments)
        while let row = try roles.next() { views[UserID(row[0])]?.roles.append(row[1]) }

        let groups = try Row.fetchCursor(db, sql: """
            SELECT m.user_id, g.name FROM user_group_map m JOIN groups g ON g.id = m.group_id \(narrowed("m.user_id"))
            ORDER BY m.user_id, g.id
            """, arguments: arguments)
        while let row = try groups.next() { views[UserID(row[0])]?.groups.append(row[1]) }
        return views
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
