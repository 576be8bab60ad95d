import Foundation
import GRDB

extension Store {
    /// Creates a role, or replaces the description and scopes of the role with that name (roles are
    /// re-declared from configuration at every start). Assignments are kept.
    @discardableResult
    public func saveRole(name: String, description: String? = nil, scopes: [String]) async throws -> Role {
        try await write(.role, key: name) { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO roles (name, description, scopes) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET description = excluded.description, scopes = excluded.scopes
                RETURNING *
                """)
            guard let role = try Role.fetchOne(statement, arguments: [name, description, try JSONText.array(scopes)]) else {
                throw StoreError.database("upsert returned no row")
            }
            return role
        }
    }

    /// The role with this name, if any.
    public func role(named name: String) async throws -> Role? {
        try await read { db in try Role.filter(Role.CodingKeys.name == name).fetchOne(db) }
    }

    /// All roles by id.
    public func roles() async throws -> [Role] {
        try await read { db in try Role.order(Role.CodingKeys.id).fetchAll(db) }
    }

    /// Deletes a role and its assignments.
    public func deleteRole(named name: String) async throws {
        try await write(.role, key: name) { db in
            try db.execute(sql: "DELETE FROM roles WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.notFound(.role, name) }
        }
    }

    /// Gives `holder` the role (idempotent). `.notFound(.role, name)` if the role does not exist.
    public func assignRole(_ role: String, to holder: RoleHolder) async throws {
        try await write(.roleAssignment, key: role) { db in
            try Self.assign(role: role, to: holder, db)
            self.touchDirectory(holder)
        }
    }

    /// Takes the role from `holder`; a no-op if it was not assigned.
    public func unassignRole(_ role: String, from holder: RoleHolder) async throws {
        try await write(.roleAssignment, key: role) { db in
            let (table, column, id) = Self.mapTable(holder)
            try db.execute(sql: "DELETE FROM \(table) WHERE \(column) = ? AND role_id = (SELECT id FROM roles WHERE name = ?)",
                           arguments: [id, role])
            self.touchDirectory(holder)
        }
    }

    /// Makes `holders` exactly the holders of `role` among their kind (keeping the admin role in sync with
    /// admin flags, or a configured role's members with `load_roles`), in one transaction.
    public func setRoleHolders(_ role: String, users: [UserID], groups: [GroupID], services: [ServiceID]) async throws {
        try await write(.roleAssignment, key: role) { db in
            guard let roleID = try RoleID.fetchOne(db, sql: "SELECT id FROM roles WHERE name = ?", arguments: [role]) else {
                throw StoreError.notFound(.role, role)
            }
            // Holders before and after may be anyone: the directory re-reads everything at commit.
            self.directory.touchAll()
            for (table, column, ids) in [("user_role_map", "user_id", users.map(\.rawValue)),
                                         ("group_role_map", "group_id", groups.map(\.rawValue)),
                                         ("service_role_map", "service_id", services.map(\.rawValue))] {
                try db.execute(sql: "DELETE FROM \(table) WHERE role_id = ?", arguments: [roleID])
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO \(table) (\(column), role_id) VALUES (?, ?)")
                for id in ids { try insert.execute(arguments: [id, roleID]) }
            }
        }
    }

    /// Roles held directly by `holder` (not through groups), by id.
    public func roles(of holder: RoleHolder) async throws -> [Role] {
        try await read { db in
            let (table, column, id) = Self.mapTable(holder)
            return try Role.fetchAll(db.cachedStatement(sql: """
                SELECT roles.* FROM roles JOIN \(table) m ON m.role_id = roles.id WHERE m.\(column) = ? ORDER BY roles.id
                """), arguments: [id])
        }
    }

    /// Names of the roles each user holds directly (the user model's `roles`), for a page of users in one query.
    public func roleNames(ofUsers users: [UserID]) async throws -> [UserID: [String]] {
        try await read { db in
            var result: [UserID: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.user_id, r.name FROM user_role_map m JOIN roles r ON r.id = m.role_id
                WHERE m.user_id IN (SELECT value FROM json_each(?)) ORDER BY m.user_id, r.id
                """, arguments: [try JSONText.array(users.map(\.rawValue))])
            for row in rows { result[UserID(row[0]), default: []].append(row[1]) }
            return result
        }
    }

    /// Roles of each user, directly and through groups, for computing many users' scopes in one query.
    public func effectiveRoles(ofUsers users: [UserID]) async throws -> [UserID: [Role]] {
        try await read { db in
            var result: [UserID: [Role]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.user_id AS holder, roles.* FROM user_role_map m JOIN roles ON roles.id = m.role_id
                WHERE m.user_id IN (SELECT value FROM json_each(?1))
                UNION
                SELECT g.user_id AS holder, roles.* FROM user_group_map g JOIN group_role_map m ON m.group_id = g.group_id
                JOIN roles ON roles.id = m.role_id WHERE g.user_id IN (SELECT value FROM json_each(?1))
                ORDER BY holder, id
                """, arguments: [try JSONText.array(users.map(\.rawValue))])
            for row in rows {
                result[UserID(row["holder"]), default: []].append(try Role(row: row))
            }
            return result
        }
    }

    /// Names of the users, groups and services holding `role` directly.
    public func holders(ofRole role: String) async throws -> (users: [String], groups: [String], services: [String]) {
        try await read { db in
            func names(_ sql: String) throws -> [String] { try String.fetchAll(db, sql: sql, arguments: [role]) }
            return (
                try names("SELECT u.name FROM users u JOIN user_role_map m ON m.user_id = u.id JOIN roles r ON r.id = m.role_id WHERE r.name = ? ORDER BY u.id"),
                try names("SELECT g.name FROM groups g JOIN group_role_map m ON m.group_id = g.id JOIN roles r ON r.id = m.role_id WHERE r.name = ? ORDER BY g.id"),
                try names("SELECT s.name FROM services s JOIN service_role_map m ON m.service_id = s.id JOIN roles r ON r.id = m.role_id WHERE r.name = ? ORDER BY s.id")
            )
        }
    }

    /// A user's direct roles are part of its model in the user directory.
    private func touchDirectory(_ holder: RoleHolder) {
        if case let .user(id) = holder { directory.touch([id]) }
    }

    static func mapTable(_ holder: RoleHolder) -> (table: String, column: String, id: Int64) {
        switch holder {
        case let .user(id): return ("user_role_map", "user_id", id.rawValue)
        case let .group(id): return ("group_role_map", "group_id", id.rawValue)
        case let .service(id): return ("service_role_map", "service_id", id.rawValue)
        }
    }

    static func assign(role: String, to holder: RoleHolder, _ db: Database) throws {
        guard let roleID = try RoleID.fetchOne(db.cachedStatement(sql: "SELECT id FROM roles WHERE name = ?"), arguments: [role]) else {
            throw StoreError.notFound(.role, role)
        }
        let (table, column, id) = mapTable(holder)
        try db.execute(sql: "INSERT OR IGNORE INTO \(table) (\(column), role_id) VALUES (?, ?)", arguments: [id, roleID])
        if db.changesCount == 0, try !Self.holderExists(holder, db) {
            throw StoreError.invalidReference("role assignment \(role)")
        }
    }

    static func holderExists(_ holder: RoleHolder, _ db: Database) throws -> Bool {
        let (table, id): (String, Int64) = switch holder {
        case let .user(id): ("users", id.rawValue)
        case let .group(id): ("groups", id.rawValue)
        case let .service(id): ("services", id.rawValue)
        }
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = ?)", arguments: [id]) ?? false
    }
}

/// JSON text for list columns and IN-lists (one bound parameter instead of building SQL per call).
enum JSONText {
    static func array(_ strings: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(strings), as: UTF8.self)
    }

    static func array(_ numbers: [Int64]) throws -> String {
        "[" + numbers.map(String.init).joined(separator: ",") + "]"
    }
}
