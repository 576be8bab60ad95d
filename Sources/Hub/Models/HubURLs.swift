// URL paths the models report: `/user/alice/`, `/user/alice/nb1/`, progress URLs under the API.
import HTTP

/// Path builders for user-facing URLs, with JupyterHub's escaping (`@` and `~` kept).
public struct HubURLs: Sendable {
    /// `/` or `/prefix/`.
    public let baseURL: String

    public init(baseURL: String) { self.baseURL = baseURL }

    /// A user or server name escaped for a URL path segment.
    public static func escape(_ name: String) -> String { PercentEncoding.encode(name, keeping: "@~") }

    /// `<base>user/<name>/`.
    public func userURL(_ user: String) -> String { baseURL + "user/" + Self.escape(user) + "/" }

    /// `<base>user/<name>/` for the default server, `<base>user/<name>/<server>/` for a named one.
    public func serverURL(user: String, server: String) -> String {
        server.isEmpty ? userURL(user) : userURL(user) + Self.escape(server) + "/"
    }

    /// `<base>hub/api/users/<name>/server/progress` or `…/servers/<server>/progress`.
    public func progressURL(user: String, server: String) -> String {
        let prefix = baseURL + "hub/api/users/" + Self.escape(user)
        return server.isEmpty ? prefix + "/server/progress" : prefix + "/servers/" + Self.escape(server) + "/progress"
    }
}
