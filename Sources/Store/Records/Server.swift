import GRDB

/// A transition in progress on a server, as the REST model's `pending` reports it.
public enum PendingAction: String, Codable, Sendable, DatabaseValueConvertible {
    case spawn, stop, check, rename
}

/// One spawner of a user (table `servers`); `name == ""` is the default server.
///
/// The row exists from the first start (or `PUT`) of a named server until it is removed; `ready`, `pending`
/// and `started` say whether it is running.
public struct Server: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "servers"
    public var id: ServerID
    public var userID: UserID
    public var name: String
    public var displayName: String?
    /// Where the hub reaches the running server, e.g. `http://10.0.0.5:8888/user/alice/`.
    public var url: String?
    /// Address the single-user server bound, as the spawner reported it.
    public var ip: String?
    public var port: Int?
    /// The server's prefix, e.g. `/user/alice/`.
    public var baseURL: String?
    public var started: Timestamp?
    public var lastActivity: Timestamp?
    public var pending: PendingAction?
    /// True once the readiness probe succeeded; never true while `pending` is set.
    public var ready: Bool
    /// Spawner state (pod name, pid, …), opaque to the Store.
    public var state: JSONObjectText
    public var userOptions: JSONObjectText
    /// `X-JupyterHub-Version` the server reported (redirect-loop guard uses it).
    public var serverVersion: String?

    /// Running or in transition: the REST API's `active`.
    public var isActive: Bool { ready || pending != nil }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, userID = "user_id", name, displayName = "display_name", url, ip, port, baseURL = "base_url"
        case started, lastActivity = "last_activity", pending, ready, state, userOptions = "user_options"
        case serverVersion = "server_version"
    }

    public init(row: Row) throws {
        id = row[CodingKeys.id]
        userID = row[CodingKeys.userID]
        name = row[CodingKeys.name]
        displayName = row[CodingKeys.displayName]
        url = row[CodingKeys.url]
        ip = row[CodingKeys.ip]
        port = row[CodingKeys.port]
        baseURL = row[CodingKeys.baseURL]
        started = row[CodingKeys.started]
        lastActivity = row[CodingKeys.lastActivity]
        pending = row[CodingKeys.pending]
        ready = row[CodingKeys.ready]
        state = row[CodingKeys.state] ?? .empty
        userOptions = row[CodingKeys.userOptions] ?? .empty
        serverVersion = row[CodingKeys.serverVersion]
    }

    /// Decodes `SELECT *` by position (columns in table order; later migrations only append).
    init(tableOrder row: Row) throws {
        id = row[0]; userID = row[1]; name = row[2]; displayName = row[3]; url = row[4]; ip = row[5]; port = row[6]
        baseURL = row[7]; started = row[8]; lastActivity = row[9]; pending = row[10]; ready = row[11]
        state = row[12] ?? .empty; userOptions = row[13] ?? .empty; serverVersion = row[14]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[CodingKeys.id] = id
        container[CodingKeys.userID] = userID
        container[CodingKeys.name] = name
        container[CodingKeys.displayName] = displayName
        container[CodingKeys.url] = url
        container[CodingKeys.ip] = ip
        container[CodingKeys.port] = port
        container[CodingKeys.baseURL] = baseURL
        container[CodingKeys.started] = started
        container[CodingKeys.lastActivity] = lastActivity
        container[CodingKeys.pending] = pending
        container[CodingKeys.ready] = ready
        container[CodingKeys.state] = state
        container[CodingKeys.userOptions] = userOptions
        container[CodingKeys.serverVersion] = serverVersion
    }
}
