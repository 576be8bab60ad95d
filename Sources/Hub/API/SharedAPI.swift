// What was shared *with* a user or group: `GET /users/{name}/shared` (including shares through the
// user's groups), `GET /groups/{name}/shared`, and one share each, which its grantee may `DELETE` to
// leave it. `{server_name}` may be empty (default server): `/users/bob/shared/alice/`.
import Auth
import HTTP
import HTTPTypes
import Store

func registerSharedAPI(into router: inout Router<APIEndpoint>) {
    router.add(.get, "/users/{name}/shared", APIEndpoint("jupyterhub.apihandlers.shares.UserShareListAPIHandler") { request in
        try await SharedAPI.listForUser(request, name: try SharingPaths.value(request, "name"))
    })
    router.add(.get, "/groups/{name}/shared", APIEndpoint("jupyterhub.apihandlers.shares.GroupShareListAPIHandler") { request in
        try await SharedAPI.listForGroup(request, name: try SharingPaths.value(request, "name"))
    })
    for kind in [SharedAPI.Kind.user, .group] {
        let single = APIEndpoint(kind.handlerName) { request in
            try await SharedAPI.one(request, kind: kind, delete: false)
        }
        let leave = APIEndpoint(kind.handlerName) { request in
            try await SharedAPI.one(request, kind: kind, delete: true)
        }
        // The second form is reached only with a trailing slash (empty server name); see `one`.
        for pattern in ["/\(kind.collection)/{name}/shared/{owner}/{server_name}", "/\(kind.collection)/{name}/shared/{owner}"] {
            router.add(.get, pattern, single)
            router.add(.delete, pattern, leave)
        }
    }
}

enum SharedAPI {
    /// Whether the grantee in the URL is a user or a group.
    enum Kind: Sendable {
        case user, group
        var collection: String { self == .user ? "users" : "groups" }
        var handlerName: String {
            self == .user ? "jupyterhub.apihandlers.shares.UserShareAPIHandler" : "jupyterhub.apihandlers.shares.GroupShareAPIHandler"
        }
    }

    /// `GET /users/{name}/shared` (`read:users:shares`): shares granted to the user directly or via a group.
    static func listForUser(_ request: APIRequest, name: String) async throws -> HTTPServerResponse {
        try await request.authorize(.readUsersShares, on: .user(name))
        let paging = try request.pagination(alwaysEnveloped: true)
        guard let user = try await request.hub.store.user(named: name) else { throw HubError.notFound("No such user: \(name)") }
        let page = try await request.hub.store.shareDetails(.grantedToUser(user.id, viaGroups: true), page: paging.pageRequest)
        return .json(SharesAPI.envelope(page.items, total: page.total, paging, request))
    }

    /// `GET /groups/{name}/shared` (`read:groups:shares`).
    static func listForGroup(_ request: APIRequest, name: String) async throws -> HTTPServerResponse {
        try await request.authorize(.readGroupsShares, on: .group(name))
        let paging = try request.pagination(alwaysEnveloped: true)
        guard let group = try await request.hub.store.group(named: name) else { throw HubError.notFound("No such group: \(name)") }
        let page = try await request.hub.store.shareDetails(.grantedToGroup(group.id), page: paging.pageRequest)
        return .json(SharesAPI.envelope(page.items, total: page.total, paging, request))
    }

    /// `GET` (read scope) or `DELETE` (leave; write scope) one share of a user or group.
    static func one(_ request: APIRequest, kind: Kind, delete: Bool) async throws -> HTTPServerResponse {
        let name = try SharingPaths.value(request, "name")
        let owner = try SharingPaths.value(request, "owner")
        let server: String
        if let value = request.path["server_name"] {
            server = value
        } else {
            // `/users/bob/shared/alice` without the slash names no server: JupyterHub has no such route.
            guard SharingPaths.endsWithSlash(request) else { throw HubError.notFound() }
            server = ""
        }
        let scope: ScopeName = switch (kind, delete) {
        case (.user, false): .readUsersShares
        case (.user, true): .usersShares
        case (.group, false): .readGroupsShares
        case (.group, true): .groupsShares
        }
        try await request.authorize(scope, on: kind == .user ? .user(name) : .group(name))
        let store = request.hub.store
        let noShare = HubError.notFound("No such share for \(kind == .user ? "user" : "group") \(name) on \(owner)/\(server)")
        let grantee: ShareGrantee
        switch kind {
        case .user:
            guard let user = try await store.user(named: name) else { throw noShare }
            grantee = .user(user.id)
        case .group:
            guard let group = try await store.group(named: name) else { throw HubError.notFound("No such group: \(name)") }
            grantee = .group(group.id)
        }
        guard let ownerRow = try await store.user(named: owner),
              let serverRow = try await store.server(userID: ownerRow.id, name: server),
              let detail = try await store.shareDetail(serverID: serverRow.id, grantee: grantee) else { throw noShare }
        if delete {
            try await store.deleteShare(id: detail.share.id)
            request.hub.logger.info("left share", metadata: ["grantee": "\(name)", "server": "\(owner)/\(server)"])
            return .empty(.noContent)
        }
        var w = JSONWriter()
        ShareModels(hub: request.hub).writeShare(detail, to: &w)
        return .json(w)
    }
}
