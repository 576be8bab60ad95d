// `/share-codes/{owner}` (list a user's codes) and `/share-codes/{owner}/{server_name}` (list, issue,
// revoke). A code is shown in clear once, at creation; only its hash is stored.
import Auth
import HTTP
import HTTPTypes
import Store

func registerShareCodesAPI(into router: inout Router<APIEndpoint>) {
    let name = "jupyterhub.apihandlers.shares.ServerShareCodeAPIHandler"
    router.add(.get, "/share-codes/{owner}", APIEndpoint(name) { request in
        let owner = try SharingPaths.value(request, "owner")
        if SharingPaths.endsWithSlash(request) { return try await ShareCodesAPI.list(request, owner: owner, server: "") }
        return try await ShareCodesAPI.listOwner(request, owner: owner)
    })
    router.add(.get, "/share-codes/{owner}/{server_name}", APIEndpoint(name) { request in
        try await ShareCodesAPI.list(request, owner: try SharingPaths.value(request, "owner"), server: try SharingPaths.value(request, "server_name"))
    })
    let writes: [(HTTPRequest.Method, @Sendable (APIRequest, String, String) async throws -> HTTPServerResponse)] = [
        (.post, ShareCodesAPI.issue), (.delete, ShareCodesAPI.revoke),
    ]
    for (method, run) in writes {
        router.add(method, "/share-codes/{owner}", APIEndpoint(name) { request in
            guard SharingPaths.endsWithSlash(request) else { throw HubError(.methodNotAllowed, "Method Not Allowed") }
            return try await run(request, try SharingPaths.value(request, "owner"), "")
        })
        router.add(method, "/share-codes/{owner}/{server_name}", APIEndpoint(name) { request in
            try await run(request, try SharingPaths.value(request, "owner"), try SharingPaths.value(request, "server_name"))
        })
    }
}

enum ShareCodesAPI {
    /// Allowed lifetimes: one minute to one year; one day by default.
    static let expiresInRange: ClosedRange<Int64> = 60...31_536_000
    static let defaultExpiresIn: Int64 = 86_400

    /// `GET /share-codes/{owner}`: unexpired codes of all of the owner's servers.
    static func listOwner(_ request: APIRequest, owner: String) async throws -> HTTPServerResponse {
        try await request.authorize(.readShares, on: .user(owner))
        let paging = try request.pagination(alwaysEnveloped: true)
        guard let user = try await request.hub.store.user(named: owner) else { throw HubError.notFound() }
        let page = try await request.hub.store.shareCodeDetails(.owner(user.id), page: paging.pageRequest)
        return .json(envelope(page.items, total: page.total, paging, request))
    }

    /// `GET /share-codes/{owner}/{server_name}`: unexpired codes of one server.
    static func list(_ request: APIRequest, owner: String, server: String) async throws -> HTTPServerResponse {
        try await request.authorize(.readShares, on: .server(ServerRef(user: owner, name: server)))
        let paging = try request.pagination(alwaysEnveloped: true)
        guard let target = try await request.hub.listedSharedServer(owner: owner, name: server) else {
            return .json(envelope([], total: 0, paging, request))
        }
        let page = try await request.hub.store.shareCodeDetails(.server(target.server.id), page: paging.pageRequest)
        return .json(envelope(page.items, total: page.total, paging, request))
    }

    /// `POST`: issues a code for `{scopes?, expires_in?}`; the answer carries the clear code and accept URL.
    static func issue(_ request: APIRequest, owner: String, server: String) async throws -> HTTPServerResponse {
        let ref = ServerRef(user: owner, name: server)
        try await request.authorize(.shares, on: .server(ref))
        let body = try await request.jsonObject(allowed: ["scopes", "expires_in"])
        let expiresIn = try expiresIn(body)
        let hub = request.hub
        let scopes = try ShareScopes.pinned(try body.strings("scopes"), to: ref, hierarchy: hub.scopeHierarchy)
        try await ShareScopes.requireHeld(scopes, on: ref, by: request)
        let target = try await hub.sharedServer(owner: owner, name: server, createDefault: true)
        let code = try TokenGenerator.shareCode()
        let hash = try TokenHash(hashing: code, origin: .generated)
        let record = try await hub.store.createShareCode(NewShareCode(
            serverID: target.server.id, prefix: TokenRules.prefix(of: code), hashed: hash.description, scopes: scopes,
            expiresAt: Timestamp.now().adding(seconds: expiresIn)))
        hub.logger.info("created share code", metadata: ["server": "\(ref)", "id": "sc_\(record.id.rawValue)"])
        var w = JSONWriter()
        ShareModels(hub: hub).writeShareCode(ShareCodeDetail(code: record, server: target.server, ownerName: target.owner.name),
                                             code: code, to: &w)
        return .json(w)
    }

    /// `DELETE`: revokes the code given by `?code=`, or by `?id=sc_N`, or every code of the server; 204.
    static func revoke(_ request: APIRequest, owner: String, server: String) async throws -> HTTPServerResponse {
        let ref = ServerRef(user: owner, name: server)
        try await request.authorize(.shares, on: .server(ref))
        let hub = request.hub
        let target = try await hub.sharedServer(owner: owner, name: server)
        if let code = request.query["code"], !code.isEmpty {
            guard let match = try await hub.findShareCode(code), match.serverID == target.server.id else {
                throw HubError.notFound("No matching code found")
            }
            try await hub.store.deleteShareCode(id: match.id)
        } else if let id = request.query["id"], !id.isEmpty {
            let missing = HubError.notFound("No code found matching id=\(id)")
            guard let row = shareCodeRowID(id),
                  let match = try await hub.store.shareCode(id: RecordID<ShareCode>(row), serverID: target.server.id) else { throw missing }
            try await hub.store.deleteShareCode(id: match.id)
        } else {
            let count = try await hub.store.deleteShareCodes(serverID: target.server.id)
            hub.logger.info("deleted all share codes", metadata: ["server": "\(ref)", "count": "\(count)"])
        }
        return .empty(.noContent)
    }

    /// `expires_in`: an integral number of seconds within `expiresInRange`; absent or null = one day.
    static func expiresIn(_ body: JSONObjectFields) throws(HubError) -> Int64 {
        guard let value = body.value("expires_in"), value != .null else { return defaultExpiresIn }
        guard let seconds = value.intValue, value.boolValue == nil else {
            throw HubError.badRequest("Field 'expires_in' must be an integer number of seconds, not \(value.typeName)")
        }
        guard expiresInRange.contains(seconds) else {
            throw HubError.badRequest("Field 'expires_in' must be between \(expiresInRange.lowerBound) and \(expiresInRange.upperBound) seconds, got \(seconds)")
        }
        return seconds
    }

    /// The row id in `sc_<N>` (leading match, as JupyterHub's `re.match`), nil when it is not one.
    static func shareCodeRowID(_ text: String) -> Int64? {
        guard text.hasPrefix("sc_") else { return nil }
        let digits = text.dropFirst(3).prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int64(digits)
    }

    static func envelope(_ items: [ShareCodeDetail], total: Int, _ paging: PageParameters, _ request: APIRequest) -> JSONWriter {
        let models = ShareModels(hub: request.hub)
        var w = JSONWriter(capacity: 256 + items.count * 256)
        paging.write(total: total, request: request, to: &w) { w in for detail in items { models.writeShareCode(detail, to: &w) } }
        return w
    }
}
