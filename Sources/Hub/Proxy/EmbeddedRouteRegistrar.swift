// Routes for the proxy built into the hub process: the Proxy module's route table, written directly. Keys and
// data follow configurable-http-proxy exactly (decoded key, `target` and `jupyterhub` in the data), so a listing
// looks the same as the one an external CHP would return.
import Proxy

/// The embedded proxy's route table as a `RouteRegistrar`.
public struct EmbeddedRouteRegistrar: RouteRegistrar {
    /// The table the embedded proxy routes from.
    public let table: RouteTable

    /// A registrar writing into `table`.
    public init(table: RouteTable) { self.table = table }

    public func add(_ spec: RouteSpec, target: String, data: [String: JSONValue]) async throws {
        guard let key = spec.chpKey else { throw ProxyError("route \(spec) has a malformed escape") }
        var members: [(String, Proxy.JSONValue)] = data.keys.sorted().compactMap { name in
            guard name != "target", name != "jupyterhub", name != "last_activity", let value = data[name] else { return nil }
            return (name, Self.proxyJSON(value))
        }
        members.append(("target", .string(target)))
        members.append(("jupyterhub", .bool(true)))
        table.add(key: key, data: members)
    }

    public func delete(_ spec: RouteSpec) async throws {
        guard let key = spec.chpKey else { return }
        table.remove(key: key)
    }

    public func all() async throws -> [RouteSpec: ProxyRoute] {
        var result: [RouteSpec: ProxyRoute] = [:]
        for route in table.routes() {
            guard route.data.contains(where: { $0.0 == "jupyterhub" }) else { continue }
            var data: [String: JSONValue] = [:]
            for (name, value) in route.data where name != "target" && name != "jupyterhub" {
                data[name] = Self.hubJSON(value)
            }
            data["last_activity"] = .string(route.lastActivity.description)
            let spec = RouteSpec(chpKey: route.key)
            result[spec] = ProxyRoute(spec: spec, target: route.target, data: data)
        }
        return result
    }

    /// Hub JSON as the proxy's ordered JSON (object members sorted, so listings are stable).
    static func proxyJSON(_ value: JSONValue) -> Proxy.JSONValue {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(String(i))
        case .double(let d): return d.isFinite ? .number(String(d)) : .null
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(proxyJSON))
        case .object(let members): return .object(members.keys.sorted().compactMap { key in members[key].map { (key, proxyJSON($0)) } })
        }
    }

    static func hubJSON(_ value: Proxy.JSONValue) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let text):
            if let i = Int64(text) { return .int(i) }
            return Double(text).map(JSONValue.double) ?? .null
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(hubJSON))
        case .object(let members):
            var object: [String: JSONValue] = [:]
            for (key, member) in members { object[key] = hubJSON(member) }
            return .object(object)
        }
    }
}
