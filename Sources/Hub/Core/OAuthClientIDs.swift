// OAuth client ids the hub gives single-user servers and services, and the reverse mapping used
// when a token comes back: which server or service is the token's client (decides `!server` and
// the access scope a token carries).
import Auth
import HTTP
import Store

/// Naming of OAuth clients.
public enum OAuthClientIDs {
    /// The hub's own client, owner of every ordinary API token.
    public static let hub = OAuthClient.hubClientIdentifier

    /// `jupyterhub-user-<name>[-<server>]` with Python's `quote` (only `/` kept), as JupyterHub names them,
    /// because the id also becomes a cookie name on the single-user server.
    public static func forServer(_ ref: ServerRef) -> String {
        let base = "jupyterhub-user-" + quote(ref.user)
        return ref.name.isEmpty ? base : base + "-" + quote(ref.name)
    }

    /// JupyterHub's default client id for a service: `service-<name>`.
    public static func forService(named name: String) -> String { "service-" + name }

    /// The client a token of `owner` was issued to. Server client ids are parsed against the owner's
    /// own name, which keeps `a-b` (user `a`, server `b`) apart from user `a-b`.
    static func target(of clientID: String, ownerUser: String?, services: () async throws -> [Service]) async throws -> OAuthClientTarget {
        if clientID == hub { return .hub }
        if let owner = ownerUser {
            let base = "jupyterhub-user-" + quote(owner)
            if clientID == base { return .server(ServerRef(user: owner, name: "")) }
            if clientID.hasPrefix(base + "-"), let server = PercentEncoding.decode(clientID.dropFirst(base.count + 1)) {
                return .server(ServerRef(user: owner, name: server))
            }
        }
        for service in try await services() {
            if service.oauthClientID == clientID || forService(named: service.name) == clientID {
                return .service(service.name)
            }
        }
        // A client that no longer exists fronts nothing: the token gets no access scope from it.
        return .hub
    }

    private static func quote(_ text: String) -> String { PercentEncoding.encode(text, keeping: "/") }
}
