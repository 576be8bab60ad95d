import GRDB

/// Which users `users(matching:)` returns, by the state of their servers (REST `?state=`).
public enum ServerStateFilter: String, Sendable, Hashable {
    /// At least one server running or in transition.
    case active
    /// No server running or in transition.
    case inactive
    /// At least one server ready for traffic.
    case ready

    /// SQL condition on `users`.
    var sql: String {
        let active = "EXISTS (SELECT 1 FROM servers s WHERE s.user_id = users.id AND (s.ready = 1 OR s.pending IS NOT NULL))"
        switch self {
        case .active: return active
        case .inactive: return "NOT " + active
        case .ready: return "EXISTS (SELECT 1 FROM servers s WHERE s.user_id = users.id AND s.ready = 1)"
        }
    }
}

/// Order of a user list (REST `?sort=`); ties broken by id. NULL activity sorts first ascending, last descending.
public enum UserSort: Sendable, Hashable {
    case id, name, lastActivity
    case descending(UserSortKey)

    var sql: String {
        switch self {
        case .id: return "id"
        case .name: return "name, id"
        case .lastActivity: return "last_activity, id"
        case let .descending(key): return "\(key.rawValue) DESC, id DESC"
        }
    }
}

/// A column a user list can be sorted on.
public enum UserSortKey: String, Sendable, Hashable {
    case id, name, lastActivity = "last_activity"
}

/// Users named in a filtered list scope (`list:users!user=a`, `!group=g`): a user matches if named or a member.
public struct UserSubset: Sendable, Hashable {
    public var names: Set<String>
    public var groups: Set<String>

    /// The users in `names` plus the members of `groups`.
    public init(names: Set<String> = [], groups: Set<String> = []) { self.names = names; self.groups = groups }

    /// SQL condition on `users`; one bound JSON list each, so the statement text stays the same for any size.
    func sql() throws -> (String, StatementArguments) {
        let condition = """
            (users.name IN (SELECT value FROM json_each(?)) OR EXISTS (SELECT 1 FROM user_group_map m \
            JOIN groups g ON g.id = m.group_id WHERE m.user_id = users.id AND g.name IN (SELECT value FROM json_each(?))))
            """
        return (condition, [try JSONText.array(names.sorted()), try JSONText.array(groups.sorted())])
    }
}

/// Filters for listing users.
public struct UserQuery: Sendable, Hashable {
    public var name: NameFilter?
    public var state: ServerStateFilter?
    public var sort: UserSort
    /// Only these users (the caller's filtered list scope); nil = everyone.
    public var subset: UserSubset?

    /// All users by id unless narrowed.
    public init(name: NameFilter? = nil, state: ServerStateFilter? = nil, sort: UserSort = .id, subset: UserSubset? = nil) {
        self.name = name; self.state = state; self.sort = sort; self.subset = subset
    }
}

extension Store {
    /// Creates a user with its roles and groups in one transaction; `.alreadyExists(.user, name)` if taken,
    /// `.notFound(.role/.group, name)` if a named role or group is missing (nothing is written then).
    public func createUser(_ new: NewUser) async throws -> User {
        try await write(.user, key: new.name) { db in try Self.insert(new, db) }
    }

    /// Creates the users whose names are free, in one transaction, and returns only those created.
    public func createUsers(_ users: [NewUser]) async throws -> [User] {
        try await write(.user) { db in
            var created: [User] = []
            for new in users where try !Self.userExists(name: new.name, db) {
                created.append(try Self.insert(new, db))
            }
            return created
        }
    }

    /// The user with this exact name, if any (from the user directory: no SQL).
    public func user(named name: String) async throws -> User? {
        try await directory.lookup(writer) { $0.view(named: name)?.user }
    }

    /// The user with this id, if any (from the user directory: no SQL).
    public func user(id: UserID) async throws -> User? {
        try await directory.lookup(writer) { $0.view(id: id)?.user }
    }

    /// The users with these names that exist, in no particular order.
    public func users(named names: [String]) async throws -> [User] {
        try await directory.read(writer) { state in Set(names).compactMap { state.view(named: $0)?.user } }
    }

    /// One page of users matching `query`, plus the total that match.
    public func users(matching query: UserQuery = UserQuery(), page: PageRequest = .all) async throws -> Page<User> {
        try await read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let name = query.name {
                let (sql, args) = name.sql(column: "name")
                conditions.append(sql)
                arguments += args
            }
            if let state = query.state { conditions.append(state.sql) }
            if let subset = query.subset {
                let (sql, args) = try subset.sql()
                conditions.append(sql)
                arguments += args
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM users \(whereClause)", arguments: arguments) ?? 0
            let items = try User.fetchAll(
                db, sql: "SELECT * FROM users \(whereClause) ORDER BY \(query.sort.sql) LIMIT ? OFFSET ?",
                arguments: arguments + [page.sqlLimit, page.sqlOffset])
            return Page(items: items, total: total, offset: page.sqlOffset)
        }
    }

    /// Number of users (the `total_users` metric).
    public func userCount() async throws -> Int {
        try await directory.read(writer) { $0.count }
    }

    /// Saves every field of `user` except `created` and `lastActivity` (activity only moves through
    /// `bumpUserActivity`, so a stale copy cannot move it back). Renames map to `.alreadyExists`.
    public func updateUser(_ user: User) async throws {
        try await write(.user, key: user.name) { db in
            do {
                try user.update(db, columns: [User.CodingKeys.name, .admin, .cookieID, .encryptedAuthState, .blocked, .wikiUserID])
            } catch RecordError.recordNotFound {
                throw StoreError.notFound(.user, String(user.id.rawValue))
            }
        }
    }

    /// Deletes a user and, by cascade, their servers, tokens, memberships, roles, codes and shares.
    public func deleteUser(named name: String) async throws {
        try await write(.user, key: name) { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.notFound(.user, name) }
        }
    }

    /// Moves each user's `last_activity` forward to the given time (never backward), in one transaction.
    /// Returns how many users changed.
    @discardableResult
    public func bumpUserActivity(_ updates: [UserID: Timestamp]) async throws -> Int {
        guard !updates.isEmpty else { return 0 }
        return try await write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE users SET last_activity = ?1 WHERE id = ?2 AND (last_activity IS NULL OR last_activity < ?1)
                """)
            var changed = 0
            for (id, time) in updates {
                try statement.execute(arguments: [time, id])
                changed += db.changesCount
            }
            return changed
        }
    }

    // MARK: - Helpers shared with other resources

    static func userExists(name: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?)"), arguments: [name]) ?? false
    }

    static func insert(_ new: NewUser, _ db: Database) throws -> User {
        let now = Timestamp.now()
        let statement = try db.cachedStatement(sql: """
            INSERT INTO users (name, admin, created, cookie_id, blocked, wiki_user_id)
            VALUES (?, ?, ?, ?, ?, ?) RETURNING *
            """)
        guard let user = try User.fetchOne(statement, arguments: [
            new.name, new.admin, now, RandomID.hex32(), new.blocked, new.wikiUserID,
        ]) else { throw StoreError.database("insert returned no row") }
        for role in new.roles {
            try assign(role: role, to: .user(user.id), db)
        }
        for group in new.groups {
            guard let groupID = try GroupID.fetchOne(db, sql: "SELECT id FROM groups WHERE name = ?", arguments: [group]) else {
                throw StoreError.notFound(.group, group)
            }
            try db.execute(sql: "INSERT OR IGNORE INTO user_group_map (user_id, group_id) VALUES (?, ?)", arguments: [user.id, groupID])
        }
        return user
    }
}

/// Random identifiers the Store assigns itself (cookie ids), in JupyterHub's uuid4-hex form.
enum RandomID {
    static func hex32() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        let digits = String(high, radix: 16) .leftPadded(16) + String(low, radix: 16).leftPadded(16)
        return digits
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
