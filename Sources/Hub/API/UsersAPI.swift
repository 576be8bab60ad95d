// `GET /users` (list with filters, sort and pagination) and `POST /users` (create many), plus the
// registration of every `/users` and `/users/{name}` route this resource owns.
import Auth
import HTTP
import Store

func registerUsersAPI(into router: inout Router<APIEndpoint>) {
    let list = "jupyterhub.apihandlers.users.UserListAPIHandler"
    router.add(.get, "/users", APIEndpoint(list, listUsers))
    router.add(.post, "/users", APIEndpoint(list, createUsers))
    let single = "jupyterhub.apihandlers.users.UserAPIHandler"
    router.add(.get, "/users/{name}", APIEndpoint(single, UserAPI.get))
    router.add(.post, "/users/{name}", APIEndpoint(single, UserAPI.create))
    router.add(.patch, "/users/{name}", APIEndpoint(single, UserAPI.patch))
    router.add(.delete, "/users/{name}", APIEndpoint(single, UserAPI.delete))
}

/// `GET /users`: one query for the page and its total, one batched query each for servers, groups and roles.
/// A filtered `list:users!user=…`/`!group=…` narrows the rows in SQL, so pages and totals stay right.
@Sendable
private func listUsers(_ request: APIRequest) async throws -> HTTPServerResponse {
    let access = try request.listAccess(.listUsers, filterableBy: [.user, .group])
    let pagination = try request.pagination()
    let query = try UserListQuery(request.query)
    var subset: UserSubset? = nil
    if case .only(let targets) = access { subset = UserSubset(names: targets.users, groups: targets.groups) }
    let hub = request.hub
    let page = try await hub.store.userViews(matching: query.storeQuery(subset: subset), page: pagination.pageRequest)
    let snapshots = hub.snapshots(page.items, includeStoppedServers: query.includeStoppedServers)
    let models = request.models()
    var w = JSONWriter(capacity: 128 + 640 * snapshots.count)
    pagination.write(total: page.total, request: request, to: &w) { w in
        for snapshot in snapshots where models.canSeeUser(snapshot) {
            models.writeUser(snapshot, to: &w)
        }
    }
    return .json(w)
}

/// `POST /users {usernames, admin?}`: creates the names that are free (normalised as the authenticator does)
/// and answers 201 with them; 409 when every name exists; 400 for no or invalid names.
@Sendable
private func createUsers(_ request: APIRequest) async throws -> HTTPServerResponse {
    try await request.authorize(.adminUsers)
    let identity = try request.requireIdentity()
    let body = try await request.jsonObject(allowed: ["usernames", "admin"])
    let requested = try body.strings("usernames") ?? []
    guard !requested.isEmpty else { throw HubError.badRequest("Must specify at least one user to create") }
    let admin = try body.strictBool("admin") ?? false
    if admin, !identity.isAdmin { throw HubError.forbidden("Only admins can grant admin permissions") }

    let hub = request.hub
    let rules = UserNameRules(hub.configuration.jupyterHub.authenticatorClass)
    var names: [String] = []
    var invalid: [String] = []
    var seen: Set<String> = []
    for raw in requested {
        let name = rules.normalize(raw)
        guard rules.isValid(name) else { invalid.append(name); continue }
        if seen.insert(name).inserted { names.append(name) }
    }
    if invalid.count == 1 { throw HubError.badRequest("Invalid username: \(invalid[0])") }
    if invalid.count > 1 { throw HubError.badRequest("Invalid usernames: \(invalid.joined(separator: ", "))") }

    let existing = Set(try await hub.store.users(named: names).map(\.name))
    let fresh = names.filter { !existing.contains($0) }
    let roles = admin ? ["user", "admin"] : ["user"]
    // createUsers skips names taken meanwhile, in the same transaction as the inserts.
    let created = fresh.isEmpty ? [] : try await hub.store.createUsers(fresh.map { NewUser(name: $0, admin: admin, roles: roles) })
    guard !created.isEmpty else { throw HubError.conflict("All \(requested.count) users already exist") }
    hub.logger.info("users created", metadata: ["by": "\(identity.name)", "count": "\(created.count)", "admin": "\(admin)"])

    let snapshots = try await hub.userSnapshots(created, includeStoppedServers: false)
    let models = request.models()
    var w = JSONWriter(capacity: 128 + 400 * snapshots.count)
    w.beginArray()
    for snapshot in snapshots { models.writeUser(snapshot, to: &w) }
    w.endArray()
    return .json(w, status: .created)
}

extension JSONObjectFields {
    /// A boolean member where an explicit `null` is a type error too (JupyterHub's `isinstance` checks).
    func strictBool(_ key: String) throws(HubError) -> Bool? {
        if value(key) == .null { throw HubError.badRequest("Field '\(key)' must be a boolean, not null") }
        return try bool(key)
    }

    /// A string member where an explicit `null` is a type error too.
    func strictString(_ key: String) throws(HubError) -> String? {
        if value(key) == .null { throw HubError.badRequest("Field '\(key)' must be a string, not null") }
        return try string(key)
    }

    /// An object member where an explicit `null` is a type error too.
    func strictObject(_ key: String) throws(HubError) -> [String: JSONValue]? {
        if value(key) == .null { throw HubError.badRequest("Field '\(key)' must be an object, not null") }
        return try object(key)
    }
}
