import GRDB

extension Store {
    /// Creates a group; `.alreadyExists(.group, name)` if taken.
    @discardableResult
    public func createGroup(name: String, description: String? = nil, properties: JSONObjectText = .empty) async throws -> Group {
        try await write(.group, key: name) { db in
            guard let group = try Group.fetchOne(db, sql: "INSERT INTO groups (name, description, properties) VALUES (?, ?, ?) RETURNING *",
                                                 arguments: [name, description, properties]) else {
                throw StoreError.database("insert returned no row")
            }
            return group
        }
    }

    /// The group with this name, if any.
    public func group(named name: String) async throws -> Group? {
        try await read { db in try Group.fetchOne(db.cachedStatement(sql: "SELECT * FROM groups WHERE name = ?"), arguments: [name]) }
    }

    /// One page of groups by id, with the total.
    public func groups(page: PageRequest = .all) async throws -> Page<Group> {
        try await read { db in
            let total = try Group.fetchCount(db)
            let items = try Group.fetchAll(db, sql: "SELECT * FROM groups ORDER BY id LIMIT ? OFFSET ?",
                                           arguments: [page.sqlLimit, page.sqlOffset])
            return Page(items: items, total: total, offset: page.sqlOffset)
        }
    }

    /// Saves name, description and properties of `group`.
    public func updateGroup(_ group: Group) async throws {
        try await write(.group, key: group.name) { db in
            do {
                try group.update(db)
            } catch RecordError.recordNotFound {
                throw StoreError.notFound(.group, String(group.id.rawValue))
            }
        }
    }

    /// Deletes a group with its memberships, role assignments and shares.
    public func deleteGroup(named name: String) async throws {
        try await write(.group, key: name) { db in
            try db.execute(sql: "DELETE FROM groups WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.notFound(.group, name) }
        }
    }

    /// Adds users (by name) to a group, in one transaction; members already in it are left alone.
    /// `.notFound(.user, name)` for the first unknown user, and nothing is added then.
    public func addMembers(_ userNames: [String], toGroup group: String) async throws {
        try await write(.membership, key: group) { db in
            let groupID = try Self.groupID(group, db)
            for name in userNames {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO user_group_map (user_id, group_id) SELECT id, ? FROM users WHERE name = ?
                    """, arguments: [groupID, name])
                if db.changesCount == 0, try !Self.userExists(name: name, db) { throw StoreError.notFound(.user, name) }
            }
            self.directory.touchAll()
        }
    }

    /// Removes users (by name) from a group; names that are not members are ignored.
    public func removeMembers(_ userNames: [String], fromGroup group: String) async throws {
        try await write(.membership, key: group) { db in
            let groupID = try Self.groupID(group, db)
            for name in userNames {
                try db.execute(sql: "DELETE FROM user_group_map WHERE group_id = ? AND user_id = (SELECT id FROM users WHERE name = ?)",
                               arguments: [groupID, name])
            }
            self.directory.touchAll()
        }
    }

    /// Names of a group's members, by user id.
    public func members(ofGroup group: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: """
                SELECT u.name FROM users u JOIN user_group_map m ON m.user_id = u.id JOIN groups g ON g.id = m.group_id
                WHERE g.name = ? ORDER BY u.id
                """, arguments: [group])
        }
    }

    /// Group names of each user, for a page of user models in one query.
    public func groupNames(ofUsers users: [UserID]) async throws -> [UserID: [String]] {
        try await read { db in
            var result: [UserID: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.user_id, g.name FROM user_group_map m JOIN groups g ON g.id = m.group_id
                WHERE m.user_id IN (SELECT value FROM json_each(?)) ORDER BY m.user_id, g.id
                """, arguments: [try JSONText.array(users.map(\.rawValue))])
            for row in rows { result[UserID(row[0]), default: []].append(row[1]) }
            return result
        }
    }

    static func groupID(_ name: String, _ db: Database) throws -> GroupID {
        guard let id = try GroupID.fetchOne(db.cachedStatement(sql: "SELECT id FROM groups WHERE name = ?"), arguments: [name]) else {
            throw StoreError.notFound(.group, name)
        }
        return id
    }
}
