// `/proxy` (scope `proxy`): GET lists the hub's routes as JupyterHub's proxy client reports them (a dict
// routespec → {routespec, target, data}, paginated with the pagination Accept header), POST checks routes now,
// PATCH points the hub at a new external proxy and checks routes there.
import Auth
import Foundation
import HTTP
import HTTPTypes

func registerProxyAPI(into router: inout Router<APIEndpoint>) {
    let name = "jupyterhub.apihandlers.proxy.ProxyAPIHandler"
    router.add(.get, "/proxy", APIEndpoint(name, changesIdentities: false) { try await ProxyEndpoints.get($0) })
    router.add(.post, "/proxy", APIEndpoint(name, changesIdentities: false) { try await ProxyEndpoints.post($0) })
    router.add(.patch, "/proxy", APIEndpoint(name, changesIdentities: false) { try await ProxyEndpoints.patch($0) })
}

enum ProxyEndpoints {
    static func get(_ request: APIRequest) async throws -> HTTPServerResponse {
        try await request.authorize(.proxy)
        let page = try request.pagination()
        let all = try await routes(request.hub)
        let keys = all.keys.sorted()
        let slice = page.offset == 0 && keys.count < page.limit ? keys[...] : keys.dropFirst(page.offset).prefix(page.limit)
        var w = JSONWriter(capacity: 128 * slice.count + 64)
        // Unlike the other lists, the routes are an object keyed by routespec (as JupyterHub's proxy client
        // returns them), inside `items` when paginated.
        if page.envelope {
            w.beginObject()
            w.key("items")
        }
        w.beginObject()
        for spec in slice {
            guard let route = all[spec] else { continue }
            w.key(spec.path)
            w.beginObject()
            w.key("routespec"); w.string(spec.path)
            w.key("target"); w.string(route.target)
            w.key("data"); w.value(.object(route.data))
            w.endObject()
        }
        w.endObject()
        if page.envelope {
            w.key("_pagination")
            PaginationMeta.write(offset: page.offset, limit: page.limit, total: keys.count, to: &w) {
                page.nextURL(request, offset: $0)
            }
            w.endObject()
        }
        return .json(w)
    }

    static func post(_ request: APIRequest) async throws -> HTTPServerResponse {
        try await request.authorize(.proxy)
        try await checkRoutes(request.hub)
        return .empty(.ok, contentType: "application/json")
    }

    static func patch(_ request: APIRequest) async throws -> HTTPServerResponse {
        try await request.authorize(.proxy)
        let bytes = try await request.bodyBytes()
        if bytes.isEmpty { throw HubError.badRequest("need JSON body") }
        guard case .object(let members)? = try? JSONValue.parse(bytes) else {
            throw HubError.badRequest("Request body must be JSON dict")
        }
        let apiURL = try string(members, "api_url")
        let token = try string(members, "auth_token")
        if let apiURL {
            guard apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://") else {
                throw HubError.badRequest("api_url must be an http:// or https:// URL")
            }
        }
        if apiURL != nil || token != nil { request.hub.servers.routing.update(apiURL: apiURL, authToken: token) }
        try await checkRoutes(request.hub)
        return .empty(.ok, contentType: "application/json")
    }

    // MARK: - Helpers

    static func routes(_ hub: Hub) async throws -> [RouteSpec: ProxyRoute] {
        do { return try await hub.servers.routing.registrar.all() } catch {
            throw HubError(.internalServerError, "Could not read the proxy's routes: \(error)")
        }
    }

    static func checkRoutes(_ hub: Hub) async throws {
        do { try await hub.servers.checkRoutes() } catch {
            throw HubError(.internalServerError, "Proxy route check failed: \(error)")
        }
    }

    static func string(_ members: [String: JSONValue], _ key: String) throws(HubError) -> String? {
        guard let value = members[key] else { return nil }
        guard case .string(let text) = value else { throw HubError.badRequest("\(key) must be a string") }
        return text
    }
}
