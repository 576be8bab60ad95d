// The body of `POST`/`PATCH /shares/{owner}/{server}`: `{user}` xor `{group}`, optional `scopes`,
// nothing else (JupyterHub validates it with `extra='forbid'`).
import Auth
import Store

/// The user or group a share request names, found in the database.
struct ResolvedGrantee: Sendable {
    let id: ShareGrantee
    let name: String
    /// `user:alice` / `group:staff`, for logs.
    var label: String {
        switch id {
        case .user: return "user:\(name)"
        case .group: return "group:\(name)"
        }
    }
}

/// A parsed grant or revoke request.
struct ShareRequestBody: Sendable {
    let user: String?
    let group: String?
    let scopes: [String]?

    /// Reads and checks the body; 400 names the problem.
    init(_ request: APIRequest) async throws {
        let body = try await request.jsonObject(allowed: ["user", "group", "scopes"])
        user = try body.string("user")
        group = try body.string("group")
        scopes = try body.strings("scopes")
        if user != nil, group != nil {
            throw HubError.badRequest("Expected exactly one of `user` or `group`, not both.")
        }
        if user == nil, group == nil {
            throw HubError.badRequest("Specify exactly one of `user` or `group`")
        }
    }

    /// The grantee of a grant. Naming someone needs the scope to read that name (403), and they must exist (400).
    func resolveForGrant(_ request: APIRequest) async throws -> ResolvedGrantee {
        let store = request.hub.store
        if let user {
            guard try await request.holds(.readUsersName, on: .user(user)) else {
                throw HubError.forbidden("Need scope 'read:users:name' to share with users by name")
            }
            guard let row = try await store.user(named: user) else { throw HubError.badRequest("No such user: \(user)") }
            return ResolvedGrantee(id: .user(row.id), name: row.name)
        }
        let group = group ?? ""
        guard try await request.holds(.readGroupsName, on: .group(group)) else {
            throw HubError.forbidden("Need scope 'read:groups:name' to share with groups by name")
        }
        guard let row = try await store.group(named: group) else { throw HubError.badRequest("No such group: \(group)") }
        return ResolvedGrantee(id: .group(row.id), name: row.name)
    }

    /// The grantee of a revocation, nil when no such user or group exists (nothing to revoke).
    func resolveForRevoke(_ store: Store) async throws -> ResolvedGrantee? {
        if let user {
            return try await store.user(named: user).map { ResolvedGrantee(id: .user($0.id), name: $0.name) }
        }
        return try await store.group(named: group ?? "").map { ResolvedGrantee(id: .group($0.id), name: $0.name) }
    }
}
