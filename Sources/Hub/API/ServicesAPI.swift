// `GET /services` (a dict name → model, never paginated) and `GET /services/{name}`, as JupyterHub 6's
// `apihandlers/services.py`. Services come from configuration; runtime creation is not offered.
import Auth
import HTTP
import Store

func registerServicesAPI(into router: inout Router<APIEndpoint>) {
    router.add(.get, "/services", APIEndpoint("jupyterhub.apihandlers.services.ServiceListAPIHandler") {
        try await ServicesAPI.list($0)
    })
    router.add(.get, "/services/{name}", APIEndpoint("jupyterhub.apihandlers.services.ServiceAPIHandler") {
        try await ServicesAPI.get($0)
    })
}

/// The service endpoints.
enum ServicesAPI {
    /// `GET /services` (`list:services`): every listable service, filtered by `!service=` grants.
    static func list(_ request: APIRequest) async throws -> HTTPServerResponse {
        // Other filter kinds simply match no service (JupyterHub answers `{}` rather than 403 here).
        let access = try request.listAccess(.listServices, filterableBy: [.service], otherFilters: .ignore)
        let hub = request.hub
        let services = try await hub.store.services().filter { access.includesService($0.name) }
        let roles = services.isEmpty ? [:] : try await hub.store.roleNames(ofServices: services.map(\.id))
        let models = request.models()
        var w = JSONWriter(capacity: 256 + 256 * services.count)
        w.beginObject()
        for service in services {
            w.key(service.name)
            models.writeService(service, details: hub.serviceDetails(service, roles: roles[service.id] ?? []), to: &w)
        }
        w.endObject()
        return .json(w)
    }

    /// `GET /services/{name}` (any of `read:services`, `read:services:name`, `read:roles:services`).
    static func get(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = request.path["name"] ?? ""
        try await request.authorize(anyOf: [.readServices, .readServicesName, .readRolesServices], on: .service(name))
        guard let service = try await request.hub.store.service(named: name) else {
            throw HubError.notFound("No such service: \(name)")
        }
        let details = try await request.hub.serviceDetails(service)
        var w = JSONWriter(capacity: 256)
        request.models().writeService(service, details: details, to: &w)
        return .json(w)
    }
}
