import GRDB

// Set-based queries behind the groups and services REST models: one query per page for members and
// role names instead of one per group (JupyterHub #4485 is exactly that N+1), and group creation
// with its members in one transaction so a bad member name leaves no half-made group behind.
extension Store {
    /// One page of groups by id, limited to `names` when given (a `!group=` filtered listing), with the total.
    public func groups(named names: Set<String>?, page: PageRequest = .all) async throws -> Page<Group> {
        guard let names else { return try await groups(page: page) }
        let list = try JSONText.array(names.sorted())
        return try await read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM groups WHERE name IN (SELECT value FROM json_each(?))",
                                         arguments: [list]) ?? 0
            let items = try Group.fetchAll(db, sql: """
                SELECT * FROM groups WHERE name IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ? OFFSET ?
                """, arguments: [list, page.sqlLimit, page.sqlOffset])
            return Page(items: items, total: total, offset: page.sqlOffset)
        }
    }

    /// Member names of each group (by user id), for a page of group models in one query.
    public func memberNames(ofGroups groups: [GroupID]) async throws -> [GroupID: [String]] {
        let ids = try JSONText.array(groups.map(\.rawValue))
        return try await read { db in
            var result: [GroupID: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.group_id, u.name FROM user_group_map m JOIN users u ON u.id = m.user_id
                WHERE m.group_id IN (SELECT value FROM json_each(?)) ORDER BY m.group_id, u.id
                """, arguments: [ids])
            for row in rows { result[GroupID(row[0]), default: []].append(row[1]) }
            return result
        }
    }

    /// Names of the roles each group holds directly, by role id, in one query.
    public func roleNames(ofGroups groups: [GroupID]) async throws -> [GroupID: [String]] {
        let ids = try JSONText.array(groups.map(\.rawValue))
        return try await read { db in
            var result: [GroupID: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.group_id, r.name FROM group_role_map m JOIN roles r ON r.id = m.role_id
                WHERE m.group_id IN (SELECT value FROM json_each(?)) ORDER BY m.group_id, r.id
                """, arguments: [ids])
            for row in rows { result[GroupID(row[0]), default: []].append(row[1]) }
            return result
        }
    }

    /// Names of the roles each service holds directly, by role id, in one query.
    public func roleNames(ofServices services: [ServiceID]) async throws -> [ServiceID: [String]] {
        let ids = try JSONText.array(services.map(\.rawValue))
        return try await read { db in
            var result: [ServiceID: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.service_id, r.name FROM service_role_map m JOIN roles r ON r.id = m.role_id
                WHERE m.service_id IN (SELECT value FROM json_each(?)) ORDER BY m.service_id, r.id
                """, arguments: [ids])
            for row in rows { result[ServiceID(row[0]), default: []].append(row[1]) }
            return result
        }
    }

    /// Creates groups, each with the same members, all or nothing: `.alreadyExists(.group, name)` for the
    /// first name taken (or repeated), `.notFound(.user, name)` for the first unknown member. Returns them in order.
    @discardableResult
    public func createGroups(named names: [String], members: [String]) async throws -> [Group] {
        try await write(.membership) { db in
            var memberIDs: [UserID] = []
            for name in members {
                guard let id = try UserID.fetchOne(db.cachedStatement(sql: "SELECT id FROM users WHERE name = ?"),
                                                   arguments: [name]) else {
                    throw StoreError.notFound(.user, name)
                }
                if !memberIDs.contains(id) { memberIDs.append(id) }
            }
            var created: [Group] = []
            for name in names {
                let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM groups WHERE name = ?)"),
                                               arguments: [name]) ?? false
                if exists { throw StoreError.alreadyExists(.group, name) }
                guard let group = try Group.fetchOne(db, sql: "INSERT INTO groups (name) VALUES (?) RETURNING *", arguments: [name]) else {
                    throw StoreError.database("insert returned no row")
                }
                let insert = try db.cachedStatement(sql: "INSERT INTO user_group_map (user_id, group_id) VALUES (?, ?)")
                for id in memberIDs { try insert.execute(arguments: [id, group.id]) }
                created.append(group)
            }
            self.directory.touchAll()
            return created
        }
    }
}
