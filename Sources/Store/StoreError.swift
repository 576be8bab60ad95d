import GRDB

/// The kinds of record the Store keeps; used to say which record an error is about.
public enum StoreEntity: String, Sendable, CustomStringConvertible {
    case user, server, group, role, service, token, oauthClient = "OAuth client", oauthCode = "OAuth code"
    case share, shareCode = "share code", membership, roleAssignment = "role assignment"
    public var description: String { rawValue }
}

/// Every failure the Store reports. Callers map these to HTTP statuses; SQLite errors never leak raw.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A record with this unique key already exists (REST: 409).
    case alreadyExists(StoreEntity, String)
    /// No record with this key (REST: 404).
    case notFound(StoreEntity, String)
    /// The record refers to another record that does not exist (e.g. a token for a deleted user).
    case invalidReference(String)
    /// A value the schema rejects (bad JSON, empty name, out-of-range port, …).
    case invalidValue(String)
    /// The database was migrated by a newer PawsHub; it is left untouched.
    case databaseFromNewerVersion(unknownMigrations: [String])
    /// Any other SQLite failure (I/O, corruption, locked beyond the busy timeout), with SQLite's message.
    case database(String)

    public var description: String {
        switch self {
        case let .alreadyExists(entity, key): return "\(entity) \(key) already exists"
        case let .notFound(entity, key): return "\(entity) \(key) not found"
        case let .invalidReference(what): return "\(what) refers to a record that does not exist"
        case let .invalidValue(why): return "invalid value: \(why)"
        case let .databaseFromNewerVersion(names):
            return "the database was written by a newer PawsHub (unknown migrations: \(names.joined(separator: ", "))); "
                + "refusing to use or change it — run the newer version or restore a backup"
        case let .database(message): return "database error: \(message)"
        }
    }

    /// Translates a GRDB error raised while writing `entity` identified by `key`.
    static func from(_ error: any Error, entity: StoreEntity? = nil, key: String = "") -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else { return .database(String(describing: error)) }
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
            if let entity { return .alreadyExists(entity, key) }
        case .SQLITE_CONSTRAINT_FOREIGNKEY:
            return .invalidReference(entity.map { "\($0) \(key)" } ?? "this record")
        case .SQLITE_CONSTRAINT_CHECK, .SQLITE_CONSTRAINT_NOTNULL:
            return .invalidValue(error.message ?? "constraint failed")
        default:
            break
        }
        return .database(error.message ?? error.description)
    }
}
