// `/users/{name}/tokens` and `/users/{name}/tokens/{token_id}`: list, read and revoke a user's API
// tokens (creation is in TokenCreation.swift). Shapes and messages are JupyterHub 6's
// `UserTokenListAPIHandler` / `UserTokenAPIHandler`.
import Auth
import HTTP
import Store

func registerTokensAPI(into router: inout Router<APIEndpoint>) {
    let list = "jupyterhub.apihandlers.users.UserTokenListAPIHandler"
    let one = "jupyterhub.apihandlers.users.UserTokenAPIHandler"
    // Listing purges the user's expired tokens; no live token changes, so cached identities stay valid.
    router.add(.get, "/users/{name}/tokens", APIEndpoint(list, changesIdentities: false) { try await TokensAPI.list($0) })
    router.add(.post, "/users/{name}/tokens", APIEndpoint(list) { try await TokenCreation.create($0) })
    router.add(.get, "/users/{name}/tokens/{token_id}", APIEndpoint(one) { try await TokensAPI.get($0) })
    // Revoking must take effect at once: the pipeline bumps the identity generation after this write.
    router.add(.delete, "/users/{name}/tokens/{token_id}", APIEndpoint(one, changesIdentities: true) {
        try await TokensAPI.delete($0)
    })
}

/// Reading and revoking tokens.
enum TokensAPI {
    /// `GET /users/{name}/tokens` (`read:tokens`): `{"api_tokens": [...]}`, least recently used first.
    ///
    /// Not paginated, like JupyterHub's: clients read `api_tokens` whatever `Accept` they send.
    static func list(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try userName(request)
        try await request.authorize(.readTokens, on: .user(name))
        let hub = request.hub
        let owner = try await existingUser(name, hub: hub)
        // JupyterHub deletes expired tokens it comes across while listing; expired ones are never shown.
        try await hub.store.deleteExpiredTokens()
        let tokens = try await hub.store.tokens(of: .user(owner.user.id)).sorted {
            let a = $0.lastActivity ?? $0.created, b = $1.lastActivity ?? $1.created
            return a == b ? $0.id < $1.id : a < b
        }
        let details = try await hub.tokenDetails(tokens, owner: owner)
        let models = request.models()
        var w = JSONWriter(capacity: 512 + 384 * tokens.count)
        w.beginObject()
        w.key("api_tokens")
        w.beginArray()
        for token in tokens {
            let d = details[token.id] ?? TokenDetails(scopes: [], oauthClient: token.clientID)
            models.writeToken(token, ownerName: name, scopes: d.scopes, oauthClient: d.oauthClient, to: &w)
        }
        w.endArray()
        w.endObject()
        return .json(w)
    }

    /// `GET /users/{name}/tokens/{token_id}` (`read:tokens`): one token model; 404 for any token not the user's.
    static func get(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try userName(request)
        try await request.authorize(.readTokens, on: .user(name))
        let owner = try await existingUser(name, hub: request.hub)
        let token = try await ownedToken(request, owner: owner)
        let details = try await request.hub.tokenDetails([token], owner: owner)
        let d = details[token.id] ?? TokenDetails(scopes: [], oauthClient: token.clientID)
        var w = JSONWriter(capacity: 512)
        request.models().writeToken(token, ownerName: name, scopes: d.scopes, oauthClient: d.oauthClient, to: &w)
        return .json(w)
    }

    /// `DELETE /users/{name}/tokens/{token_id}` (`tokens`): 204. Revoking an OAuth token revokes every
    /// token the user holds from the same client (the whole grant), as JupyterHub does.
    static func delete(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try userName(request)
        try await request.authorize(.tokens, on: .user(name))
        let hub = request.hub
        let owner = try await existingUser(name, hub: hub)
        let token = try await ownedToken(request, owner: owner)
        if token.clientID != OAuthClientIDs.hub {
            let count = try await hub.store.deleteTokens(of: .user(owner.user.id), clientID: token.clientID)
            hub.logger.info("Deleting tokens issued by OAuth client",
                            metadata: ["user": "\(name)", "client": "\(token.clientID)", "count": "\(count)"])
        } else {
            do {
                try await hub.store.deleteToken(id: token.id)
            } catch StoreError.notFound(.token, _) {
                throw noSuchToken(request, user: name)  // revoked concurrently
            }
            hub.logger.info("Deleting token", metadata: ["user": "\(name)", "token": "a\(token.id.rawValue)"])
        }
        return .empty(.noContent)
    }

    // MARK: - Helpers

    static func userName(_ request: APIRequest) throws(HubError) -> String {
        guard let name = request.path["name"], !name.isEmpty else { throw HubError.notFound("No such user: ") }
        return name
    }

    static func existingUser(_ name: String, hub: Hub) async throws -> UserSnapshot {
        guard let user = try await hub.store.user(named: name) else { throw HubError.notFound("No such user: \(name)") }
        return try await hub.userSnapshot(user)
    }

    /// The token `{token_id}` names if `owner` owns it; any other case (bad id, unknown, someone else's) is the same 404.
    static func ownedToken(_ request: APIRequest, owner: UserSnapshot) async throws -> APIToken {
        let text = request.path["token_id"] ?? ""
        guard let id = try? APITokenID(parsing: text),
              let token = try await request.hub.store.token(id: TokenID(id.rowID)),
              token.userID == owner.user.id else {
            throw noSuchToken(request, user: owner.user.name)
        }
        return token
    }

    static func noSuchToken(_ request: APIRequest, user: String) -> HubError {
        HubError.notFound("No such token \(request.path["token_id"] ?? "") for user \(user)")
    }
}
