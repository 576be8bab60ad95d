// `POST /users/{name}/activity` (`users:activity`): single-user servers report when they were last
// used. Body rules and messages are JupyterHub's (contract §5, bench README); values only move forward.
// Reports are held in memory (`ReportedActivity`) and written in batches, so a fleet posting at once
// costs one commit per flush, not one per POST — yet `GET /users/{name}` shows them immediately.
import Auth
import HTTP
import Store

func registerUserActivityAPI(into router: inout Router<APIEndpoint>) {
    // Activity never changes what a token may do: keep the identity cache warm under report storms.
    router.add(.post, "/users/{name}/activity",
               APIEndpoint("jupyterhub.apihandlers.users.ActivityAPIHandler", changesIdentities: false, postActivity))
}

@Sendable
private func postActivity(_ request: APIRequest) async throws -> HTTPServerResponse {
    let name = try UserAPI.pathName(request)
    try await request.authorize(.usersActivity, on: .user(name))
    let hub = request.hub
    guard let targets = try await hub.store.activityTargets(userNamed: name) else {
        throw HubError.notFound("No such user: \(UserListQuery.pythonRepr(name))")
    }
    let report = try ActivityReport(try await request.json(), targets: targets, now: .now())
    hub.reportedActivity.report(user: targets.userID, at: report.user, servers: report.servers)
    return .empty(.ok, contentType: "application/json")
}

/// A validated activity body: the user's time and each named server's time.
struct ActivityReport: Equatable {
    /// Reports further ahead than this are refused (JupyterHub: 59 minutes, to allow for clock skew).
    static let maxFutureMicros: Int64 = 59 * 60 * 1_000_000
    static let serversShape = "servers must be a dict of the form {server_name: {last_activity: timestamp}}"

    var user: Timestamp?
    var servers: [(ServerID, Timestamp)] = []

    static func == (a: ActivityReport, b: ActivityReport) -> Bool {
        a.user == b.user && a.servers.elementsEqual(b.servers) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// Validates `body` against the user's servers, in JupyterHub's order: shape, servers (existence, then each
    /// entry's `last_activity`), then the user's own time. The default server `""` is always known (every
    /// JupyterHub user has one); without a row its time only moves the user's.
    init(_ body: JSONValue, targets: UserActivityTargets, now: Timestamp) throws(HubError) {
        guard case .object(let members) = body else { throw HubError.badRequest("body must be a json dict") }
        let userValue = members["last_activity"].flatMap { Self.isFalsy($0) ? nil : $0 }
        let serversValue = members["servers"].flatMap { Self.isFalsy($0) ? nil : $0 }
        guard userValue != nil || serversValue != nil else {
            throw HubError.badRequest("body must contain at least one of `last_activity` or `servers`")
        }
        if let serversValue {
            guard case .object(let entries) = serversValue else { throw HubError.badRequest(Self.serversShape) }
            for serverName in entries.keys.sorted() {
                guard let entry = entries[serverName] else { continue }
                let id = targets.servers[serverName]
                guard id != nil || serverName.isEmpty else {
                    throw HubError.badRequest("No such server '\(serverName)' for user \(targets.userName)")
                }
                guard case .object(let info) = entry, let value = info["last_activity"] else {
                    throw HubError.badRequest(Self.serversShape)
                }
                let time = try Self.timestamp(value, now: now)
                if let id {
                    servers.append((id, time))
                } else if user.map({ time > $0 }) ?? true {
                    user = time
                }
            }
        }
        if let userValue {
            let time = try Self.timestamp(userValue, now: now)
            if user.map({ time > $0 }) ?? true { user = time }
        }
    }

    /// A reported time; 400 when it is not a timestamp or more than 59 minutes ahead of `now`.
    static func timestamp(_ value: JSONValue, now: Timestamp) throws(HubError) -> Timestamp {
        guard case .string(let text) = value, let time = ActivityTimestamp.parse(text) else {
            throw HubError.badRequest("Not a valid timestamp: \(pythonRepr(value))")
        }
        if time.microseconds - now.microseconds > maxFutureMicros {
            throw HubError.badRequest("Rejecting activity from more than an hour in the future: \(ISOTimestamp.format(time))")
        }
        return time
    }

    /// Python truthiness, which decides whether JupyterHub considers a member given at all.
    static func isFalsy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        }
    }

    private static func pythonRepr(_ value: JSONValue) -> String {
        if case .string(let s) = value { return UserListQuery.pythonRepr(s) }
        return value.jsonText
    }
}
