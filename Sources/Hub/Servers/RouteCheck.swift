// `check_routes` (contract §13): the proxy's table is made to match the hub — hub route present and pointing at
// the hub, every ready server and service routed to its current target, routes of servers in transition left
// alone, anything else JupyterHub-owned deleted. Every `last_activity_interval` the proxy's per-route activity
// is imported first (contract §12), so culling sees traffic even from servers that never POST activity.
import Store

extension ServerManager {
    /// Makes the proxy's routes match the hub's servers and services; returns what changed.
    @discardableResult
    public func checkRoutes() async throws -> RouteCheckReport {
        let registrar = routing.registrar
        let routes = try await registrar.all()
        return try await checkRoutes(against: routes, registrar: registrar)
    }

    private func checkRoutes(against routes: [RouteSpec: ProxyRoute], registrar: any RouteRegistrar) async throws -> RouteCheckReport {
        var report = RouteCheckReport()
        var wanted: [RouteSpec: (target: String, data: [String: JSONValue])] = [:]
        let hubSpec = RouteSpec(path: configuration.jupyterHub.baseURL)
        wanted[hubSpec] = (hubTarget, ["hub": .bool(true)])
        for route in readyRoutes() {
            wanted[route.spec] = (route.target, ["user": .string(route.user), "server_name": .string(route.server)])
        }
        for service in configuration.jupyterHub.services {
            guard let url = service.url else { continue }
            let spec = RouteSpec(path: configuration.jupyterHub.baseURL + "services/" + HubURLs.escape(service.name) + "/")
            wanted[spec] = (Self.origin(url), ["service": .string(service.name)])
        }
        let keep = pendingRouteSpecs()
        for (spec, want) in wanted.sorted(by: { $0.key < $1.key }) {
            if let existing = routes[spec], existing.target == want.target { continue }
            if routes[spec] == nil {
                logger.warning("Adding missing route for \(spec) (\(want.target))")
                report.added.append(spec)
            } else {
                logger.warning("Updating route for \(spec) (\(routes[spec]?.target ?? "") → \(want.target))")
                report.updated.append(spec)
            }
            try await registrar.add(spec, target: want.target, data: want.data)
        }
        for spec in routes.keys.sorted() where wanted[spec] == nil && !keep.contains(spec) {
            logger.warning("Deleting stale route \(spec)")
            try await registrar.delete(spec)
            report.deleted.append(spec)
        }
        return report
    }

    /// The hub route's target: how the proxy reaches the hub (`hub_connect_url`, else `hub_bind_url`).
    var hubTarget: String {
        Self.origin(configuration.jupyterHub.effectiveHubConnectURL)
    }

    static func origin(_ url: BindURL) -> String {
        let host = url.host.contains(":") ? "[\(url.host)]" : url.host
        return "\(url.scheme)://\(host):\(url.port)"
    }

    /// Moves server and user `last_activity` forward to what the proxy saw, then checks routes: one round of
    /// the periodic job.
    func importProxyActivity() async throws {
        let registrar = routing.registrar
        let routes = try await registrar.all()
        let ids: [String: [String: ServerID]] = slots.withLock { slots in
            var byUser: [String: [String: ServerID]] = [:]
            for (key, slot) in slots where slot.isActive { byUser[slot.userName, default: [:]][key.name] = slot.row?.id }
            return byUser
        }
        var updates: [ServerID: Timestamp] = [:]
        for route in routes.values {
            guard case .server(let user, let name) = route.owner, let id = ids[user]?[name],
                  let text = route.lastActivity, let when = ActivityTimestamp.parse(text) else { continue }
            updates[id] = when
        }
        if !updates.isEmpty { try await store.bumpServerActivity(updates) }
        try await checkRoutes(against: routes, registrar: registrar)
    }

    /// Runs `importProxyActivity` every `last_activity_interval` until cancelled.
    func runProxyActivityLoop() async {
        let interval = configuration.jupyterHub.lastActivityInterval
        guard interval > .zero else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do { try await importProxyActivity() } catch {
                logger.error("Proxy activity import and route check failed: \(error)")
            }
        }
    }
}

/// What a route check changed.
public struct RouteCheckReport: Sendable, Equatable {
    public var added: [RouteSpec] = []
    public var updated: [RouteSpec] = []
    public var deleted: [RouteSpec] = []
    public init() {}
}
