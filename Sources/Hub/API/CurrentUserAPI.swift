// `GET /hub/api/user`: the caller's own model plus `token_id`, `session_id` and sorted `scopes`
// — the "whoami" every single-user server calls to authenticate its users.
import Auth
import HTTP
import Store

func registerCurrentUserAPI(into router: inout Router<APIEndpoint>) {
    router.add(.get, "/user", APIEndpoint("jupyterhub.apihandlers.users.SelfAPIHandler") { request in
        let identity = try request.requireIdentity()
        let hub = request.hub
        // Every caller may read its own identity here, even if its token's scopes do not say so;
        // the added scopes are not reported back.
        var visible = identity.scopes
        visible.formUnion(hub.scopeHierarchy.identifyScopes(for: identity.holder))
        let models = ModelEncoder(scopes: visible, hub: hub, includeStoppedServers: request.query.flag("include_stopped_servers"))
        let extra: (inout JSONWriter) -> Void = { w in
            w.key("token_id"); w.string(identity.token.map { "a\($0.id.rawValue)" })
            w.key("session_id"); w.string(identity.sessionID)
            w.key("scopes"); w.rawJSON(identity.scopeStringsJSON)
        }
        var w = JSONWriter(capacity: 1024)
        switch identity.owner {
        case .user(let snapshot):
            models.writeUser(snapshot, to: &w, extra: extra)
        case .service(let service):
            let details = try await hub.serviceDetails(service)
            models.writeService(service, details: details, to: &w, extra: extra)
        }
        return .json(w)
    })
}

extension Hub {
    /// What the service model shows from configuration and roles.
    public func serviceDetails(_ service: Service) async throws -> ServiceDetails {
        let definition = configuration.jupyterHub.services.first { $0.name == service.name }
        let roles = try await store.roles(of: .service(service.id)).map(\.name)
        let url = definition?.url?.description ?? service.url ?? ""
        return ServiceDetails(roles: roles, url: url,
                              prefix: url.isEmpty ? "" : baseURL + "services/" + HubURLs.escape(service.name) + "/",
                              command: definition?.command ?? [], display: definition?.display ?? true)
    }
}
