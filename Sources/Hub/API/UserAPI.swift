// `GET/POST/PATCH/DELETE /users/{name}`: one user's model, creation, changes (rename, admin flag,
// encrypted auth_state) and deletion, with JupyterHub's status codes and messages.
import Auth
import HTTP
import HTTPTypes
import Store

enum UserAPI {
    /// Every scope that reveals some field of a user model: holding any on the user allows `GET`.
    static let readScopes: [ScopeName] = [.readUsers, .readUsersName, .readServers, .readUsersGroups, .readUsersActivity, .readRolesUsers]

    /// `GET /users/{name}`: the model as the caller may see it; `auth_state` decrypted with `admin:auth_state`.
    @Sendable
    static func get(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try pathName(request)
        try await request.authorize(anyOf: readScopes, on: .user(name))
        // One directory read gives the row, roles, groups and servers together.
        guard let view = try await request.hub.store.userView(named: name) else { throw HubError.notFound() }
        var snapshot = view
        request.hub.reportedActivity.apply(to: &snapshot)
        return try await modelResponse(snapshot, request: request)
    }

    /// `POST /users/{name}` with an optional `{admin}` body: 201 with the new user; 409 if the name is taken.
    @Sendable
    static func create(_ request: APIRequest) async throws -> HTTPServerResponse {
        let requestedName = try pathName(request)
        try await request.authorize(.adminUsers, on: .user(requestedName))
        let identity = try request.requireIdentity()
        let body = try await request.jsonObject(allowed: ["admin"])
        let admin = try body.strictBool("admin") ?? false
        let hub = request.hub
        let name = try UserNameRules(hub.configuration.jupyterHub.authenticatorClass).checked(requestedName)
        if try await hub.store.user(named: name) != nil { throw HubError.conflict("User \(name) already exists") }
        if admin, !identity.isAdmin { throw HubError.forbidden("Only admins can grant admin permissions") }
        let user: User
        do {
            user = try await hub.store.createUser(NewUser(name: name, admin: admin, roles: admin ? ["user", "admin"] : ["user"]))
        } catch StoreError.alreadyExists {
            throw HubError.conflict("User \(name) already exists")
        }
        hub.logger.info("user created", metadata: ["by": "\(identity.name)", "user": "\(name)", "admin": "\(admin)"])
        return try await modelResponse(user, request: request, status: .created)
    }

    /// `PATCH /users/{name}` with any of `name` (rename), `admin`, `auth_state`; other keys → 400.
    @Sendable
    static func patch(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try pathName(request)
        try await request.authorize(.adminUsers, on: .user(name))
        let identity = try request.requireIdentity()
        let hub = request.hub
        guard var user = try await hub.store.user(named: name) else { throw HubError.notFound() }
        let body = try await request.jsonObject(allowed: ["name", "admin", "auth_state"], emptyIsEmptyObject: false)
        let newName = try body.strictString("name")
        let admin = try body.strictBool("admin")
        let authState = try body.strictObject("auth_state")

        var renamed: String? = nil
        if let newName, newName != user.name {
            let checked = try UserNameRules(hub.configuration.jupyterHub.authenticatorClass).checked(newName)
            if checked != user.name {
                if try await hub.store.user(named: checked) != nil {
                    throw HubError.conflict("User \(checked) already exists, username must be unique")
                }
                renamed = checked
            }
        }
        if !identity.isAdmin {
            if user.admin { throw HubError.forbidden("Only admins can modify other admins") }
            if admin == true { throw HubError.forbidden("Only admins can grant admin permissions") }
        }
        if authState != nil { try await request.authorize(.adminAuthState, on: .user(name)) }
        if let renamed {
            // A running server keeps its route, OAuth client and token under the old name; stop it first.
            let active = try await hub.store.servers(ofUser: user.id).filter(\.isActive)
            if !active.isEmpty {
                throw HubError.badRequest("Cannot rename \(user.name) while a server is running or pending; stop it first")
            }
            user.name = renamed
        }
        var granted: [String] = []
        var revoked: [String] = []
        if let admin, admin != user.admin {
            user.admin = admin
            if admin { granted = ["admin"] } else { revoked = ["admin"] }
        }
        if let authState { user.encryptedAuthState = try hub.sealAuthState(authState) }
        do {
            try await hub.store.updateUser(user, grantingRoles: granted, revokingRoles: revoked)
        } catch StoreError.alreadyExists {
            throw HubError.conflict("User \(user.name) already exists, username must be unique")
        }
        // Values are not logged: auth_state holds upstream tokens.
        hub.logger.info("user changed", metadata: [
            "by": "\(identity.name)", "user": "\(name)", "keys": "\(body.members.keys.sorted().joined(separator: ","))",
        ])
        return try await modelResponse(user, request: request)
    }

    /// `DELETE /users/{name}`: 204; 400 for oneself, a stop in progress, or servers still running (there is no
    /// server manager to stop them through yet, so the caller must stop them first).
    @Sendable
    static func delete(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try pathName(request)
        try await request.authorize(.deleteUsers, on: .user(name))
        let identity = try request.requireIdentity()
        let hub = request.hub
        guard let user = try await hub.store.user(named: name) else { throw HubError.notFound() }
        if identity.user?.user.id == user.id { throw HubError.badRequest("Cannot delete yourself!") }
        let servers = try await hub.store.servers(ofUser: user.id)
        if servers.contains(where: { $0.pending == .stop }) {
            throw HubError.badRequest("\(name)'s server is in the process of stopping, please wait.")
        }
        // JupyterHub stops the user's servers before deleting the user; so do we.
        try await hub.servers.stopAll(user: user)
        do {
            try await hub.store.deleteUser(named: name)
        } catch StoreError.notFound {
            throw HubError.notFound()
        }
        hub.servers.forget(userID: user.id)
        hub.logger.info("user deleted", metadata: ["by": "\(identity.name)", "user": "\(name)"])
        return HTTPServerResponse(status: .noContent)
    }

    // MARK: - Helpers

    /// The decoded `{name}` path segment.
    static func pathName(_ request: APIRequest) throws(HubError) -> String {
        guard let name = request.path["name"], !name.isEmpty else { throw HubError.notFound() }
        return name
    }

    /// The user's model for this caller; `auth_state` decrypted when the caller may read it.
    private static func modelResponse(_ user: User, request: APIRequest,
                                      status: HTTPResponse.Status = .ok) async throws -> HTTPServerResponse {
        try await modelResponse(try await request.hub.currentSnapshot(user), request: request, status: status)
    }

    private static func modelResponse(_ snapshot: UserSnapshot, request: APIRequest,
                                      status: HTTPResponse.Status = .ok) async throws -> HTTPServerResponse {
        let hub = request.hub, user = snapshot.user
        let models = request.models()
        let authState = try await request.holds(.adminAuthState, on: .user(user.name)) ? hub.decryptedAuthState(of: user) : nil
        var w = JSONWriter(capacity: 1024)
        models.writeUser(snapshot, to: &w, authState: authState)
        return .json(w, status: status)
    }
}
