import GRDB

extension Store {
    /// Creates the service or updates the one with this name (services come from configuration at each start).
    @discardableResult
    public func saveService(name: String, admin: Bool, url: String? = nil, oauthClientID: String? = nil) async throws -> Service {
        try await write(.service, key: name) { db in
            guard let service = try Service.fetchOne(db, sql: """
                INSERT INTO services (name, admin, url, oauth_client_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET admin = excluded.admin, url = excluded.url,
                    oauth_client_id = excluded.oauth_client_id
                RETURNING *
                """, arguments: [name, admin, url, oauthClientID]) else {
                throw StoreError.database("upsert returned no row")
            }
            return service
        }
    }

    /// The service with this name, if any.
    public func service(named name: String) async throws -> Service? {
        try await read { db in try Service.fetchOne(db.cachedStatement(sql: "SELECT * FROM services WHERE name = ?"), arguments: [name]) }
    }

    /// The service with this id, if any.
    public func service(id: ServiceID) async throws -> Service? {
        try await read { db in try Service.fetchOne(db, key: id.rawValue) }
    }

    /// All services by id.
    public func services() async throws -> [Service] {
        try await read { db in try Service.order(Service.CodingKeys.id).fetchAll(db) }
    }

    /// Saves every field of `service` except `lastActivity`.
    public func updateService(_ service: Service) async throws {
        try await write(.service, key: service.name) { db in
            do {
                try service.update(db, columns: [Service.CodingKeys.name, .admin, .url, .oauthClientID, .pid])
            } catch RecordError.recordNotFound {
                throw StoreError.notFound(.service, String(service.id.rawValue))
            }
        }
    }

    /// Deletes a service with its tokens and role assignments.
    public func deleteService(named name: String) async throws {
        try await write(.service, key: name) { db in
            try db.execute(sql: "DELETE FROM services WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.notFound(.service, name) }
        }
    }

    /// Moves each service's `last_activity` forward (never back), in one transaction.
    @discardableResult
    public func bumpServiceActivity(_ updates: [ServiceID: Timestamp]) async throws -> Int {
        guard !updates.isEmpty else { return 0 }
        return try await write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE services SET last_activity = ?1 WHERE id = ?2 AND (last_activity IS NULL OR last_activity < ?1)
                """)
            var changed = 0
            for (id, time) in updates {
                try statement.execute(arguments: [time, id])
                changed += db.changesCount
            }
            return changed
        }
    }
}
