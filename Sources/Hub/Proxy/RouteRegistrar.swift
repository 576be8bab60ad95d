// The hub's view of the proxy: a table of routespec → target + data, whichever proxy holds it (the embedded
// route table, or an external configurable-http-proxy over REST). Routespecs are JupyterHub's: escaped paths
// with a trailing slash (`/user/a%20b/`); each proxy converts to its own key form.
import HTTP

/// A JupyterHub routespec: an escaped URL path prefix ending in `/` (`/`, `/user/alice/`, `/user/alice/nb1/`).
public struct RouteSpec: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The escaped path with leading and trailing `/`.
    public let path: String

    /// A routespec from an escaped path; adds the leading and trailing `/` when missing.
    public init(path: String) {
        var text = path
        if !text.hasPrefix("/") { text = "/" + text }
        if !text.hasSuffix("/") { text += "/" }
        self.path = text
    }

    /// From a CHP route key (decoded, no trailing `/`): re-escaped keeping `@`, `/` and `~`, as JupyterHub's
    /// proxy client does, so listings compare equal to the routespecs the hub added.
    public init(chpKey key: String) {
        self.init(path: PercentEncoding.encode(key, keeping: "@/~"))
    }

    /// The path for CHP's REST API (`/api/routes<this>`): no trailing `/` except for the root.
    public var chpPath: String { path == "/" ? "/" : String(path.dropLast()) }

    /// The decoded key a CHP-style route table stores, or nil when the escapes are malformed.
    public var chpKey: String? {
        guard let decoded = PercentEncoding.decode(chpPath) else { return nil }
        return decoded
    }

    public var description: String { path }
    public static func < (a: RouteSpec, b: RouteSpec) -> Bool { a.path < b.path }
}

/// Who a route belongs to, from its data (`{"user", "server_name"}`, `{"service"}`, `{"hub": true}`).
public enum RouteOwner: Hashable, Sendable {
    case hub
    case server(user: String, name: String)
    case service(String)
    /// `{"extra": true}` or anything else JupyterHub marked as its own.
    case other
}

/// One route as the proxy reports it.
public struct ProxyRoute: Sendable, Equatable {
    public var spec: RouteSpec
    /// The upstream URL (`http://10.0.0.5:8888`).
    public var target: String
    /// The route's data without `target` and `jupyterhub` (as JupyterHub's proxy client returns it),
    /// including `last_activity` when the proxy tracks it.
    public var data: [String: JSONValue]

    /// A route; `data` excludes `target` and the `jupyterhub` marker.
    public init(spec: RouteSpec, target: String, data: [String: JSONValue]) {
        self.spec = spec; self.target = target; self.data = data
    }

    /// Who the route belongs to.
    public var owner: RouteOwner {
        if let user = data["user"]?.stringValue {
            return .server(user: user, name: data["server_name"]?.stringValue ?? "")
        }
        if let service = data["service"]?.stringValue { return .service(service) }
        if data["hub"] == .bool(true) { return .hub }
        return .other
    }

    /// `last_activity` as the proxy reported it (ISO 8601), if any.
    public var lastActivity: String? { data["last_activity"]?.stringValue }
}

/// Adds, deletes and lists the hub's routes on a proxy.
public protocol RouteRegistrar: Sendable {
    /// Adds or replaces the route at `spec`. `data` is stored with the route (plus `target` and the
    /// `jupyterhub` marker, which the registrar adds).
    func add(_ spec: RouteSpec, target: String, data: [String: JSONValue]) async throws
    /// Deletes the route at `spec`; a missing route is not an error.
    func delete(_ spec: RouteSpec) async throws
    /// Every route JupyterHub added (routes without the `jupyterhub` marker are left out), by routespec.
    func all() async throws -> [RouteSpec: ProxyRoute]
}

/// A proxy call failed.
public struct ProxyError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for logs and `POST /hub/api/proxy` errors.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
