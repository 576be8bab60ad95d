// `/shares/{owner}` (list every share of a user's servers) and `/shares/{owner}/{server_name}` (list,
// grant, revoke, revoke all). `{server_name}` is empty for the default server, so `/shares/alice/`
// (trailing slash) is alice's default server while `/shares/alice` is all of alice's servers.
import Auth
import HTTP
import HTTPTypes
import Store

func registerSharesAPI(into router: inout Router<APIEndpoint>) {
    let name = "jupyterhub.apihandlers.shares.ServerShareAPIHandler"
    router.add(.get, "/shares/{owner}", APIEndpoint(name) { request in
        let owner = try SharingPaths.value(request, "owner")
        if SharingPaths.endsWithSlash(request) { return try await SharesAPI.list(request, owner: owner, server: "") }
        return try await SharesAPI.listOwner(request, owner: owner)
    })
    router.add(.get, "/shares/{owner}/{server_name}", APIEndpoint(name) { request in
        try await SharesAPI.list(request, owner: try SharingPaths.value(request, "owner"), server: try SharingPaths.value(request, "server_name"))
    })
    let writes: [(HTTPRequest.Method, @Sendable (APIRequest, String, String) async throws -> HTTPServerResponse)] = [
        (.post, SharesAPI.grant), (.patch, SharesAPI.revoke), (.delete, SharesAPI.revokeAll),
    ]
    for (method, run) in writes {
        router.add(method, "/shares/{owner}", APIEndpoint(name) { request in
            // Only GET is defined on a whole owner; with the trailing slash it is the default server.
            guard SharingPaths.endsWithSlash(request) else { throw HubError(.methodNotAllowed, "Method Not Allowed") }
            return try await run(request, try SharingPaths.value(request, "owner"), "")
        })
        router.add(method, "/shares/{owner}/{server_name}", APIEndpoint(name) { request in
            try await run(request, try SharingPaths.value(request, "owner"), try SharingPaths.value(request, "server_name"))
        })
    }
}

enum SharesAPI {
    /// `GET /shares/{owner}`: shares of every server `owner` has (`read:shares` on the owner).
    static func listOwner(_ request: APIRequest, owner: String) async throws -> HTTPServerResponse {
        try await request.authorize(.readShares, on: .user(owner))
        let paging = try request.pagination(alwaysEnveloped: true)
        guard let user = try await request.hub.store.user(named: owner) else { throw HubError.notFound() }
        let page = try await request.hub.store.shareDetails(.owner(user.id), page: paging.pageRequest)
        return .json(envelope(page.items, total: page.total, paging, request))
    }

    /// `GET /shares/{owner}/{server_name}`: shares of one server (`read:shares` on it).
    static func list(_ request: APIRequest, owner: String, server: String) async throws -> HTTPServerResponse {
        let ref = ServerRef(user: owner, name: server)
        try await request.authorize(.readShares, on: .server(ref))
        let paging = try request.pagination(alwaysEnveloped: true)
        guard let target = try await request.hub.listedSharedServer(owner: owner, name: server) else {
            return .json(envelope([], total: 0, paging, request))
        }
        let page = try await request.hub.store.shareDetails(.server(target.server.id), page: paging.pageRequest)
        return .json(envelope(page.items, total: page.total, paging, request))
    }

    /// `POST`: grants (adds) scopes on the server to one user or group and returns the share.
    static func grant(_ request: APIRequest, owner: String, server: String) async throws -> HTTPServerResponse {
        let ref = ServerRef(user: owner, name: server)
        try await request.authorize(.shares, on: .server(ref))
        let body = try await ShareRequestBody(request)
        let hub = request.hub
        let scopes = try ShareScopes.pinned(body.scopes, to: ref, hierarchy: hub.scopeHierarchy)
        let target = try await hub.sharedServer(owner: owner, name: server, createDefault: true)
        try await ShareScopes.requireHeld(scopes, on: ref, by: request)
        let grantee = try await body.resolveForGrant(request)
        let share = try await hub.store.grantShare(serverID: target.server.id, grantee: grantee.id, scopes: scopes)
        hub.logger.info("granted share", metadata: ["server": "\(ref)", "grantee": "\(grantee.label)", "scopes": "\(share.scopes)"])
        let detail = ShareDetail(share: share, server: target.server, ownerName: target.owner.name, granteeName: grantee.name)
        var w = JSONWriter()
        ShareModels(hub: hub).writeShare(detail, to: &w)
        return .json(w)
    }

    /// `PATCH`: revokes the given scopes (all when none) from one user or group; `{}` once nothing remains.
    static func revoke(_ request: APIRequest, owner: String, server: String) async throws -> HTTPServerResponse {
        let ref = ServerRef(user: owner, name: server)
        try await request.authorize(.shares, on: .server(ref))
        let body = try await ShareRequestBody(request)
        let hub = request.hub
        let target = try await hub.sharedServer(owner: owner, name: server)
        // Revoking from someone who does not exist revokes nothing; no name-reading scope is needed.
        guard let grantee = try await body.resolveForRevoke(hub.store) else { return .json(.object([:])) }
        let scopes = (body.scopes?.isEmpty ?? true) ? nil : ShareScopes.toRevoke(body.scopes ?? [], on: ref)
        switch try await hub.store.revokeShare(serverID: target.server.id, grantee: grantee.id, scopes: scopes) {
        case .noShare, .deleted:
            return .json(.object([:]))
        case .remaining(let share):
            let detail = ShareDetail(share: share, server: target.server, ownerName: target.owner.name, granteeName: grantee.name)
            var w = JSONWriter()
            ShareModels(hub: hub).writeShare(detail, to: &w)
            return .json(w)
        }
    }

    /// `DELETE`: revokes every share of the server; 204.
    static func revokeAll(_ request: APIRequest, owner: String, server: String) async throws -> HTTPServerResponse {
        let ref = ServerRef(user: owner, name: server)
        try await request.authorize(.shares, on: .server(ref))
        let target = try await request.hub.sharedServer(owner: owner, name: server)
        let count = try await request.hub.store.deleteShares(serverID: target.server.id)
        request.hub.logger.info("deleted all shares", metadata: ["server": "\(ref)", "count": "\(count)"])
        return .empty(.noContent)
    }

    static func envelope(_ items: [ShareDetail], total: Int, _ paging: PageParameters, _ request: APIRequest) -> JSONWriter {
        let models = ShareModels(hub: request.hub)
        var w = JSONWriter(capacity: 256 + items.count * 256)
        paging.write(total: total, request: request, to: &w) { w in for detail in items { models.writeShare(detail, to: &w) } }
        return w
    }
}

/// Path helpers for the sharing and OAuth routes.
enum SharingPaths {
    /// A `{name}` path value; 404 if the route has none (a programming error, never client input).
    static func value(_ request: APIRequest, _ name: String) throws(HubError) -> String {
        guard let value = request.path[name] else { throw HubError.notFound() }
        return value
    }

    /// Whether the raw path ends with `/`: the router ignores one trailing slash, but sharing URLs use it
    /// to name a default server (`/shares/alice/`), as JupyterHub's `([^/]*)` routes do.
    static func endsWithSlash(_ request: APIRequest) -> Bool { request.head.path.hasSuffix("/") }
}
