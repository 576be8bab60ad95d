// The service model and its field visibility (read:services, read:services:name, read:roles:services).
import Auth
import Store

/// What the service model shows besides its row: configuration-only details and role names.
public struct ServiceDetails: Sendable {
    public var roles: [String]
    public var url: String
    /// `<base>services/<name>/` when the service has a URL, else "".
    public var prefix: String
    public var command: [String]
    public var display: Bool

    public init(roles: [String], url: String, prefix: String, command: [String], display: Bool) {
        self.roles = roles; self.url = url; self.prefix = prefix; self.command = command; self.display = display
    }
}

extension ModelEncoder {
    /// Whether the caller may see anything of service `name`.
    public func canSeeService(named name: String) -> Bool {
        [ScopeName.readServices, .readServicesName, .readRolesServices].contains { holds($0, service: name) }
    }

    /// Writes the service model with only the keys the caller may see.
    public func writeService(_ service: Service, details: ServiceDetails, to w: inout JSONWriter,
                             extra: (inout JSONWriter) -> Void = { _ in }) {
        let full = holds(.readServices, service: service.name)
        let name = full || holds(.readServicesName, service: service.name)
        let roles = holds(.readRolesServices, service: service.name)
        w.beginObject()
        if full || name || roles {
            w.key("kind"); w.string("service")
            w.key("name"); w.string(service.name)
            w.key("admin"); w.bool(service.admin)
        }
        if roles { w.key("roles"); w.strings(details.roles) }
        if full {
            w.key("url"); w.string(details.url)
            w.key("prefix"); w.string(details.prefix)
            w.key("command"); w.strings(details.command)
            w.key("pid"); w.int(service.pid ?? 0)
            w.key("info"); w.beginObject(); w.endObject()
            w.key("display"); w.bool(details.display)
        }
        extra(&w)
        w.endObject()
    }

    private func holds(_ scope: ScopeName, service: String) -> Bool {
        (try? scopes.has(scope, on: .service(service), membership: PrefetchedMembership.empty)) == true
    }
}
