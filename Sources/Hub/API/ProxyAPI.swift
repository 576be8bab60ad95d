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
    static let paginationMediaType = "application/jupyterhub-pagination+json"
    static let defaultLimit = 50
    static let maxLimit = 200

    static func get(_ request: APIRequest) async throws -> HTTPServerResponse {
        try await request.authorize(.proxy)
        let paginated = request.header(.accept)?.split(separator: ",").contains {
            $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) == paginationMediaType
        } ?? false
        let (offset, limit) = try pageBounds(request.query, paginated: paginated)
        let all = try await routes(request.hub)
        let keys = all.keys.sorted()
        let page = offset == 0 && keys.count < limit ? keys[...] : keys.dropFirst(offset).prefix(limit)
        var w = JSONWriter(capacity: 128 * page.count + 64)
        if paginated {
            w.beginObject()
            w.key("items")
        }
        w.beginObject()
        for spec in page {
            guard let route = all[spec] else { continue }
            w.key(spec.path)
            w.beginObject()
            w.key("routespec"); w.string(spec.path)
            w.key("target"); w.string(route.target)
            w.key("data"); w.value(.object(route.data))
            w.endObject()
        }
        w.endObject()
        if paginated {
            w.key("_pagination")
            w.beginObject()
            w.key("offset"); w.int(offset)
            w.key("limit"); w.int(limit)
            w.key("total"); w.int(keys.count)
            w.key("next")
            if offset + limit < keys.count {
                w.beginObject()
                w.key("offset"); w.int(offset + limit)
                w.key("limit"); w.int(limit)
                w.key("url"); w.string(nextURL(request, offset: offset + limit, limit: limit))
                w.endObject()
            } else {
                w.null()
            }
            w.endObject()
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

    /// `offset` (absolute value, default 0) and `limit` (default 50 with the pagination header, else 200;
    /// clamped to 1…200); non-integers → 400, as JupyterHub's `get_api_pagination`.
    static func pageBounds(_ query: QueryParameters, paginated: Bool) throws(HubError) -> (Int, Int) {
        func integer(_ name: String, default value: Int) throws(HubError) -> Int {
            guard let text = query[name] else { return value }
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)), number != .min else {
                throw HubError.badRequest("Invalid argument type, offset and limit must be integers")
            }
            return abs(number)
        }
        let offset = try integer("offset", default: 0)
        let limit = min(maxLimit, max(1, try integer("limit", default: paginated ? defaultLimit : maxLimit)))
        return (offset, limit)
    }

    /// The absolute URL of the next page: this request's URL with `offset` and `limit` replaced.
    static func nextURL(_ request: APIRequest, offset: Int, limit: Int) -> String {
        let scheme = request.isSecure ? "https" : "http"
        let host = request.header(HTTPField.Name("Host")!) ?? "localhost"
        var pairs = request.query.pairs.filter { $0.name != "offset" && $0.name != "limit" }
        pairs.append(("offset", String(offset)))
        pairs.append(("limit", String(limit)))
        let query = pairs.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }.joined(separator: "&")
        return "\(scheme)://\(host)\(request.head.path)?\(query)"
    }
}
