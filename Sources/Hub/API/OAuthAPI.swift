// The hub as OAuth2 provider (`/oauth2/authorize`, `/oauth2/token`) and the deprecated
// `/authorizations/*` identification endpoints JupyterHub 6 still serves.
import Auth
import HTTP
import HTTPTypes
import Store

func registerOAuthAPI(into router: inout Router<APIEndpoint>) {
    router.add(.post, "/oauth2/token", APIEndpoint("jupyterhub.apihandlers.auth.OAuthTokenHandler") { request in
        try await OAuthAPI.token(request)
    })
    router.add(.get, "/oauth2/authorize", APIEndpoint("jupyterhub.apihandlers.auth.OAuthAuthorizeHandler") { request in
        try await OAuthAPI.authorize(request)
    })
    let tokenHandler = "jupyterhub.apihandlers.auth.TokenAPIHandler"
    router.add(.post, "/authorizations/token", APIEndpoint(tokenHandler, changesIdentities: false) { _ in
        throw HubError.notFound("Deprecated endpoint /hub/api/authorizations/token is removed in JupyterHub 2.0."
            + " Use /hub/api/users/:user/tokens instead.")
    })
    router.add(.get, "/authorizations/token/{token}", APIEndpoint(tokenHandler) { request in
        try await OAuthAPI.identifyToken(request)
    })
    router.add(.get, "/authorizations/cookie/{cookie_name}/{cookie_value}",
               APIEndpoint("jupyterhub.apihandlers.auth.CookieAPIHandler") { request in
        try await OAuthAPI.identifyCookie(request)
    })
}

enum OAuthAPI {
    /// Form bodies are a handful of short parameters.
    static let formLimit = 64 * 1024

    /// `POST /oauth2/token`: authorization code → access token, with OAuth's no-cache headers and error bodies.
    static func token(_ request: APIRequest) async throws -> HTTPServerResponse {
        let bytes = try await request.bodyBytes(limit: formLimit)
        let form = PercentEncoding.parseQuery(String(decoding: bytes, as: UTF8.self))
        do {
            let parameters = try OAuthTokenRequest(form: form, authorization: request.header(.authorization))
            let grant = try await request.hub.grantOAuthToken(parameters)
            var w = JSONWriter()
            w.beginObject()
            w.key("access_token"); w.string(grant.accessToken)
            w.key("expires_in"); w.int(grant.expiresIn)
            w.key("token_type"); w.string("Bearer")
            w.key("scope"); w.string(grant.scopes.joined(separator: " "))
            w.endObject()
            return noStore(.json(w))
        } catch let error as OAuthError {
            var w = JSONWriter()
            w.beginObject()
            w.key("error"); w.string(error.error)
            if let description = error.errorDescription { w.key("error_description"); w.string(description) }
            w.endObject()
            var response = noStore(.json(w, status: HTTPResponse.Status(code: error.status)))
            if error.status == 401 { response.headers[.wwwAuthenticate] = "Bearer error=\"\(error.error)\"" }
            return response
        }
    }

    static func noStore(_ response: HTTPServerResponse) -> HTTPServerResponse {
        var response = response
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Pragma")!] = "no-cache"
        return response
    }

    /// `GET /oauth2/authorize`: anonymous browsers go to the login page and come back here; a logged-in
    /// user gets the code redirect, or an error. Asking for consent is the pages module's (not served yet).
    static func authorize(_ request: APIRequest) async throws -> HTTPServerResponse {
        let hub = request.hub
        guard let identity = request.identity else {
            let location = hub.hubPrefix + "login?next=" + PaginationMeta.formEncode(request.head.target)
            return HTTPServerResponse(status: .found, headers: [.location: location], body: .empty)
        }
        switch try await hub.decideOAuthAuthorization(OAuthAuthorizeRequest(query: request.query), identity: identity) {
        case .redirect(let location):
            return HTTPServerResponse(status: .found, headers: [.location: location], body: .empty)
        case .confirm(let grant):
            hub.logger.info("OAuth authorization needs the consent page", metadata: ["client": "\(grant.clientID)"])
            throw HubError(.notImplemented, "\(grant.clientDescription) asks for access on your behalf; confirming it needs the consent page, which this hub does not serve yet")
        }
    }

    /// `GET /authorizations/token/{token}` (deprecated): the model of the token's owner. Token-authenticated
    /// callers only; the caller may always read the owner's name and groups.
    static func identifyToken(_ request: APIRequest) async throws -> HTTPServerResponse {
        guard let caller = request.identity, caller.token != nil else { throw HubError.forbidden() }
        let hub = request.hub
        guard let owner = try await hub.identify(token: try SharingPaths.value(request, "token")) else { throw HubError.notFound() }
        hub.activity.record(owner)
        var visible = caller.scopes
        visible.formUnion(hub.scopeHierarchy.identifyScopes(for: owner.holder))
        let models = ModelEncoder(scopes: visible, hub: hub, includeStoppedServers: false)
        var w = JSONWriter(capacity: 512)
        switch owner.owner {
        case .user(let snapshot): models.writeUser(snapshot, to: &w)
        case .service(let service): models.writeService(service, details: try await hub.serviceDetails(service), to: &w)
        }
        return .json(w)
    }

    /// `GET /authorizations/cookie/{name}/{value}` (deprecated): the user a signed hub login cookie stands
    /// for, shown with the caller's own scopes. Token-authenticated callers only; 404 for a bad cookie.
    static func identifyCookie(_ request: APIRequest) async throws -> HTTPServerResponse {
        guard let caller = request.identity, caller.token != nil else { throw HubError.forbidden() }
        let hub = request.hub
        guard let secret = hub.cookieSecret,
              let raw = try? SignedValue.decode(try SharingPaths.value(request, "cookie_value"), name: try SharingPaths.value(request, "cookie_name"),
                                                secret: secret, maxAgeDays: hub.configuration.jupyterHub.cookieMaxAgeDays),
              let cookieID = String(validating: raw, as: UTF8.self),
              let user = try await hub.store.user(withCookieID: cookieID), !user.blocked else { throw HubError.notFound() }
        var w = JSONWriter(capacity: 512)
        request.models().writeUser(try await hub.userSnapshot(user), to: &w)
        return .json(w)
    }
}
