// URL paths the models report: `/user/alice/`, `/user/alice/nb1/`, progress URLs under the API.
import HTTP

/// Path builders for user-facing URLs, with JupyterHub's escaping (`@` and `~` kept).
public struct HubURLs: Sendable {
    /// `/` or `/prefix/`.
    public let baseURL: String

    public init(baseURL: String) { self.baseURL = baseURL }

    /// A user or server name escaped for a URL path segment.
    /// Names that need no escaping (nearly all) are returned as they are: every user and server model builds
    /// several URLs, and the general encoder allocates.
    public static func escape(_ name: String) -> String {
        let plain = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "@"):
                return true
            default:
                return false
            }
        }
        return plain ? name : PercentEncoding.encode(name, keeping: "@~")
    }

    /// `<base>user/<name>/`.
    public func userURL(_ user: String) -> String { userURL(escapedUser: Self.escape(user)) }

    /// `<base>user/<name>/` for the default server, `<base>user/<name>/<server>/` for a named one.
    public func serverURL(user: String, server: String) -> String { serverURL(escapedUser: Self.escape(user), server: server) }

    /// `<base>hub/api/users/<name>/server/progress` or `…/servers/<server>/progress`.
    public func progressURL(user: String, server: String) -> String { progressURL(escapedUser: Self.escape(user), server: server) }

    // The same from a user name already escaped (a user model escapes its owner's name once for all its URLs).

    func userURL(escapedUser user: String) -> String { baseURL + "user/" + user + "/" }

    func serverURL(escapedUser user: String, server: String) -> String {
        server.isEmpty ? userURL(escapedUser: user) : userURL(escapedUser: user) + Self.escape(server) + "/"
    }

    func progressURL(escapedUser user: String, server: String) -> String {
        let prefix = baseURL + "hub/api/users/" + user
        return server.isEmpty ? prefix + "/server/progress" : prefix + "/servers/" + Self.escape(server) + "/progress"
    }
}
