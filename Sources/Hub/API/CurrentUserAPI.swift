// `GET /hub/api/user`: the caller's own model plus `token_id`, `session_id` and sorted `scopes`
// — the "whoami" every single-user server calls to authenticate its users, so the user's body is
// rendered once per resolved identity and served from its memo afterwards.
import Auth
import HTTP
import Store

func registerCurrentUserAPI(into router: inout Router<APIEndpoint>) {
    router.add(.get, "/user", APIEndpoint("jupyterhub.apihandlers.users.SelfAPIHandler") { request in
        let identity = try request.requireIdentity()
        let hub = request.hub
        let includeStopped = request.query.flag("include_stopped_servers")
        let body: [UInt8]
        switch identity.owner {
        case .user(let snapshot):
            body = identity.memo.body(includeStopped ? "whoami+stopped" : "whoami") {
                var w = JSONWriter(capacity: 1024)
                selfModels(identity, hub: hub, includeStopped: includeStopped)
                    .writeUser(snapshot, to: &w) { tokenFacts(identity, into: &$0) }
                return w.bytes
            }
        case .service(let service):
            // Role names come with the (cached) identity, and the body is kept in its memo: a service's
            // whoami then touches no database and renders nothing until the identity is re-resolved.
            body = try await identity.memo.body(includeStopped ? "whoami+stopped" : "whoami") {
                let details = if let names = identity.serviceRoleNames {
                    hub.serviceDetails(service, roles: names)
                } else {
                    try await hub.serviceDetails(service)
                }
                var w = JSONWriter(capacity: 512)
                selfModels(identity, hub: hub, includeStopped: includeStopped)
                    .writeService(service, details: details, to: &w) { tokenFacts(identity, into: &$0) }
                return w.bytes
            }
        }
        return HTTPServerResponse(status: .ok, headers: [.contentType: "application/json"], body: .bytes(body))
    })
}

/// Every caller may read its own identity here, even if its token's scopes do not say so;
/// the scopes added for that are not reported back.
private func selfModels(_ identity: Identity, hub: Hub, includeStopped: Bool) -> ModelEncoder {
    var visible = identity.scopes
    visible.formUnion(hub.scopeHierarchy.identifyScopes(for: identity.holder))
    return ModelEncoder(scopes: visible, hub: hub, includeStoppedServers: includeStopped)
}

private func tokenFacts(_ identity: Identity, into w: inout JSONWriter) {
    w.key("token_id"); w.string(identity.token.map { "a\($0.id.rawValue)" })
    w.key("session_id"); w.string(identity.sessionID)
    w.key("scopes"); w.rawJSON(identity.scopeStringsJSON)
}

extension Hub {
    /// What the service model shows from configuration and roles.
    public func serviceDetails(_ service: Service) async throws -> ServiceDetails {
        serviceDetails(service, roles: try await store.roles(of: .service(service.id)).map(\.name))
    }

    /// The service model's details given its role names (a list fetches those for all services at once).
    public func serviceDetails(_ service: Service, roles: [String]) -> ServiceDetails {
        let definition = configuration.jupyterHub.services.first { $0.name == service.name }
        let url = definition?.url?.description ?? service.url ?? ""
        return ServiceDetails(roles: roles, url: url,
                              prefix: url.isEmpty ? "" : baseURL + "services/" + HubURLs.escape(service.name) + "/",
                              command: definition?.command ?? [], display: definition?.display ?? true)
    }
}
