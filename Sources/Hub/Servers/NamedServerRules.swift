// What the servers API checks before creating, starting or renaming a named server (JupyterHub 6's
// `_check_named_server_request`), and how it reads a start/create body (`get_server_json_body`).
import Store

/// The start/create body: `{display_name?, user_options?}`, or (neither key present) the whole body as options.
struct ServerStartBody: Sendable {
    var displayName: String?
    /// nil = not given (reuse the stored options).
    var userOptions: JSONValue?

    /// Parses JupyterHub's body rules; 400 naming the field on a wrong type.
    init(_ body: JSONValue) throws(HubError) {
        switch body {
        case .null:
            return
        case .object(let members):
            if members.isEmpty { return }
            if let name = members["display_name"] {
                guard case .string(let text) = name else { throw HubError.badRequest("display_name must be a string") }
                displayName = text
            }
            if let options = members["user_options"] {
                switch options {
                case .null: break
                case .object: userOptions = options
                default: throw HubError.badRequest("user_options must be an object or null")
                }
            } else if members["display_name"] == nil {
                // Before 6.0 the whole body was the options; clients still send it that way.
                userOptions = body
            }
        default:
            throw HubError.badRequest("Body must be a JSON object")
        }
    }
}

/// Named-server admission rules.
struct NamedServerRules: Sendable {
    let configuration: HubConfiguration

    /// Checks a request to create, start or rename to `serverName` with `displayName` for `user`, whose server
    /// rows are `existing`. Returns the display name to store (NFC-normalised).
    func check(user: User, serverName: String, displayName: String, existing: [Server],
               checkLimit: Bool = true) throws(HubError) -> String {
        let hub = configuration.jupyterHub
        guard hub.allowNamedServers else { throw HubError.badRequest("Named servers are not enabled.") }
        let exists = existing.contains { $0.name == serverName }
        if checkLimit, hub.namedServerLimitPerUser > 0, !exists {
            let named = existing.count { !$0.name.isEmpty }
            if named >= hub.namedServerLimitPerUser {
                throw HubError.badRequest("User \(user.name) already has the maximum of \(hub.namedServerLimitPerUser) "
                                          + "named servers.  One must be deleted before a new server can be created")
            }
        }
        let normalized = ServerNaming.normalizedDisplayName(displayName)
        if !exists {
            guard ServerNaming.isValidName(serverName) else {
                throw HubError.badRequest("Invalid server_name: \(serverName)")
            }
            guard ServerNaming.isValidDisplayName(normalized) else {
                throw HubError.badRequest("Invalid display_name: \(normalized)")
            }
        } else if !ServerNaming.isValidName(serverName) {
            // Names allowed before JupyterHub 6 may still exist in a migrated database; they can be stopped and
            // removed but not started again (JupyterHub's allow_invalid_named_server_start default).
            throw HubError.badRequest("Starting invalid server_name \(serverName) is disabled, contact your administrator")
        }
        return normalized
    }
}
