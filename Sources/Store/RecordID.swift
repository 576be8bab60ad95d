import GRDB

/// A row id typed by the record it names, so a user id cannot be passed where a server id is expected.
public struct RecordID<Record>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The SQLite row id.
    public let rawValue: Int64

    /// Wraps a row id.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension RecordID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Self? { Int64.fromDatabaseValue(dbValue).map(Self.init) }
}

/// Row id of a `User`.
public typealias UserID = RecordID<User>
/// Row id of a `Server`.
public typealias ServerID = RecordID<Server>
/// Row id of a `Group`.
public typealias GroupID = RecordID<Group>
/// Row id of a `Role`.
public typealias RoleID = RecordID<Role>
/// Row id of a `Service`.
public typealias ServiceID = RecordID<Service>
/// Row id of an `APIToken` (shown as `a<id>` by the REST API).
public typealias TokenID = RecordID<APIToken>
/// Row id of an `OAuthClient`.
public typealias OAuthClientID = RecordID<OAuthClient>
/// Row id of an `OAuthCode`.
public typealias OAuthCodeID = RecordID<OAuthCode>
/// Row id of a `Share`.
public typealias ShareID = RecordID<Share>
/// Row id of a `ShareCode` (shown as `sc_<id>`).
public typealias ShareCodeID = RecordID<ShareCode>
