// The scope tree of JupyterHub 6: which scopes exist and which narrower scopes each one implies.
// Kept as data (not code paths) so the OAuth consent page, validation and expansion read one table.

/// Description and subscopes of one scope.
public struct ScopeDefinition: Hashable, Sendable {
    public let description: String
    public let subscopes: [ScopeName]
    public init(description: String, subscopes: [ScopeName] = []) {
        self.description = description
        self.subscopes = subscopes
    }
}

/// Every known scope and its implied subscopes; `standard` is JupyterHub 6's, plus any operator `custom:` scopes.
public struct ScopeHierarchy: Sendable {
    private var definitions: [ScopeName: ScopeDefinition]

    /// JupyterHub 6's built-in scopes.
    public static let standard = ScopeHierarchy(definitions: builtinDefinitions)

    /// Whether `name` is a defined scope (built-in, metascope or defined custom scope).
    public func contains(_ name: ScopeName) -> Bool { definitions[name] != nil }

    /// The definition of `name`, if it exists.
    public func definition(of name: ScopeName) -> ScopeDefinition? { definitions[name] }

    /// All defined scope names.
    public var allNames: Set<ScopeName> { Set(definitions.keys) }

    /// `name` and every scope it implies, transitively.
    public func closure(of name: ScopeName) -> Set<ScopeName> {
        var seen: Set<ScopeName> = []
        var stack = [name]
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack.append(contentsOf: definitions[next]?.subscopes ?? [])
        }
        return seen
    }

    /// A copy with operator-defined `custom:` scopes added (JupyterHub's `custom_scopes`).
    /// Custom scopes may only imply other custom scopes defined in the same call.
    public func addingCustomScopes(_ custom: [String: ScopeDefinition]) throws(ScopeError) -> ScopeHierarchy {
        var copy = self
        for (raw, definition) in custom.sorted(by: { $0.key < $1.key }) {
            let name = ScopeName(rawValue: raw)
            if let reason = ScopeHierarchy.customNameProblem(raw) {
                throw ScopeError.invalidCustomScope(raw, reason: reason)
            }
            if let existing = definitions[name], existing != definition {
                throw ScopeError.invalidCustomScope(raw, reason: "already defined differently")
            }
            for sub in definition.subscopes where custom[sub.rawValue] == nil {
                let reason = definitions[sub] != nil
                    ? "non-custom subscope '\(sub)' is not allowed; use a role to group scopes"
                    : "subscope '\(sub)' is not defined"
                throw ScopeError.invalidCustomScope(raw, reason: reason)
            }
            copy.definitions[name] = definition
        }
        return copy
    }

    /// Why `raw` is not a valid custom scope name, or nil if it is.
    /// Rule (JupyterHub's): `^custom:[a-z0-9][a-z0-9_\-\*:]+[a-z0-9_\*]$`.
    static func customNameProblem(_ raw: String) -> String? {
        let prefix = "custom:"
        guard raw.hasPrefix(prefix) else { return "custom scopes must start with 'custom:'" }
        let rest = Array(raw.utf8.dropFirst(prefix.utf8.count))
        guard rest.count >= 3 else { return "the part after 'custom:' must be at least 3 characters" }
        func isLowerAlnum(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        let middle: Set<UInt8> = [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: ":")]
        guard let first = rest.first, isLowerAlnum(first) else { return "the part after 'custom:' must start with a lowercase letter or digit" }
        guard let last = rest.last, isLowerAlnum(last) || last == UInt8(ascii: "_") || last == UInt8(ascii: "*") else {
            return "custom scopes may not end with a hyphen or colon"
        }
        for c in rest where !(isLowerAlnum(c) || middle.contains(c)) {
            return "only lowercase ASCII letters, digits and '-_:*' are allowed"
        }
        return nil
    }
}

// MARK: - JupyterHub 6 built-in scopes

extension ScopeName {
    public static let noScope = ScopeName(rawValue: "(no_scope)")
    public static let `self` = ScopeName(rawValue: "self")
    public static let inherit = ScopeName(rawValue: "inherit")
    public static let adminUI = ScopeName(rawValue: "admin-ui")
    public static let adminUsers = ScopeName(rawValue: "admin:users")
    public static let adminAuthState = ScopeName(rawValue: "admin:auth_state")
    public static let users = ScopeName(rawValue: "users")
    public static let deleteUsers = ScopeName(rawValue: "delete:users")
    public static let listUsers = ScopeName(rawValue: "list:users")
    public static let readUsers = ScopeName(rawValue: "read:users")
    public static let readUsersName = ScopeName(rawValue: "read:users:name")
    public static let readUsersGroups = ScopeName(rawValue: "read:users:groups")
    public static let readUsersActivity = ScopeName(rawValue: "read:users:activity")
    public static let readRoles = ScopeName(rawValue: "read:roles")
    public static let readRolesUsers = ScopeName(rawValue: "read:roles:users")
    public static let readRolesServices = ScopeName(rawValue: "read:roles:services")
    public static let readRolesGroups = ScopeName(rawValue: "read:roles:groups")
    public static let usersActivity = ScopeName(rawValue: "users:activity")
    public static let adminServers = ScopeName(rawValue: "admin:servers")
    public static let adminServerState = ScopeName(rawValue: "admin:server_state")
    public static let servers = ScopeName(rawValue: "servers")
    public static let readServers = ScopeName(rawValue: "read:servers")
    public static let startServers = ScopeName(rawValue: "start:servers")
    public static let deleteServers = ScopeName(rawValue: "delete:servers")
    public static let tokens = ScopeName(rawValue: "tokens")
    public static let readTokens = ScopeName(rawValue: "read:tokens")
    public static let adminGroups = ScopeName(rawValue: "admin:groups")
    public static let groups = ScopeName(rawValue: "groups")
    public static let listGroups = ScopeName(rawValue: "list:groups")
    public static let readGroups = ScopeName(rawValue: "read:groups")
    public static let readGroupsName = ScopeName(rawValue: "read:groups:name")
    public static let deleteGroups = ScopeName(rawValue: "delete:groups")
    public static let adminServices = ScopeName(rawValue: "admin:services")
    public static let listServices = ScopeName(rawValue: "list:services")
    public static let readServices = ScopeName(rawValue: "read:services")
    public static let readServicesName = ScopeName(rawValue: "read:services:name")
    public static let readHub = ScopeName(rawValue: "read:hub")
    public static let accessServers = ScopeName(rawValue: "access:servers")
    public static let accessServices = ScopeName(rawValue: "access:services")
    public static let usersShares = ScopeName(rawValue: "users:shares")
    public static let readUsersShares = ScopeName(rawValue: "read:users:shares")
    public static let groupsShares = ScopeName(rawValue: "groups:shares")
    public static let readGroupsShares = ScopeName(rawValue: "read:groups:shares")
    public static let readShares = ScopeName(rawValue: "read:shares")
    public static let shares = ScopeName(rawValue: "shares")
    public static let proxy = ScopeName(rawValue: "proxy")
    public static let shutdown = ScopeName(rawValue: "shutdown")
    public static let readMetrics = ScopeName(rawValue: "read:metrics")
}

private let builtinDefinitions: [ScopeName: ScopeDefinition] = {
    func d(_ description: String, _ subs: ScopeName...) -> ScopeDefinition {
        ScopeDefinition(description: description, subscopes: subs)
    }
    return [
        .noScope: d("Know who is making the request."),
        .self: d("Everything that belongs to you"),
        .inherit: d("Whatever the token's owner may do"),
        .adminUI: d("Open the admin page."),
        .adminUsers: d("Create, change and delete users and see their login state (servers and tokens excluded).",
                       .adminAuthState, .users, .readRolesUsers, .deleteUsers),
        .adminAuthState: d("See a user's stored login state."),
        .users: d("Read and change users (servers, tokens and login state excluded).",
                  .readUsers, .listUsers, .usersActivity),
        .deleteUsers: d("Remove users."),
        .listUsers: d("See the list of users and their names.", .readUsersName),
        .readUsers: d("Read users, with the URL of a running default server.",
                      .readUsersName, .readUsersGroups, .readUsersActivity),
        .readUsersName: d("See user names."),
        .readUsersGroups: d("See which groups a user is in."),
        .readUsersActivity: d("See when a user was last active."),
        .readRoles: d("See who holds which roles.", .readRolesUsers, .readRolesServices, .readRolesGroups),
        .readRolesUsers: d("See the roles of users."),
        .readRolesServices: d("See the roles of services."),
        .readRolesGroups: d("See the roles of groups."),
        .usersActivity: d("Report a user's activity.", .readUsersActivity),
        .adminServers: d("Full control of user servers, including their stored state.", .adminServerState, .servers),
        .adminServerState: d("Read and change the stored state of user servers."),
        .servers: d("Start, stop and look at user servers.", .readServers, .startServers, .deleteServers),
        .readServers: d("See user servers (not their stored state).", .readUsersName),
        .startServers: d("Start user servers and change their settings."),
        .deleteServers: d("Stop user servers and remove them."),
        .tokens: d("Create, list and revoke user tokens.", .readTokens),
        .readTokens: d("List user tokens."),
        .adminGroups: d("Create, change and delete groups.", .groups, .readRolesGroups, .deleteGroups),
        .groups: d("Read and change groups and their members (membership can change permissions).", .readGroups, .listGroups),
        .listGroups: d("See the list of groups and their names.", .readGroupsName),
        .readGroups: d("Read groups.", .readGroupsName),
        .readGroupsName: d("See group names."),
        .deleteGroups: d("Remove groups."),
        .adminServices: d("Manage services created at run time (not those from the configuration).",
                          .listServices, .readServices, .readRolesServices),
        .listServices: d("See the list of services and their names.", .readServicesName),
        .readServices: d("Read services.", .readServicesName),
        .readServicesName: d("See service names."),
        .readHub: d("See details about the hub."),
        .accessServers: d("Use user servers from a browser or the API."),
        .accessServices: d("Use services from a browser or the API."),
        .usersShares: d("See and revoke what is shared with a user.", .readUsersShares),
        .readUsersShares: d("See servers shared with a user."),
        .groupsShares: d("See and revoke what is shared with a group.", .readGroupsShares),
        .readGroupsShares: d("See servers shared with a group."),
        .readShares: d("See who a server is shared with."),
        .shares: d("Share servers and manage those shares.", .accessServers, .readShares, .usersShares, .groupsShares),
        .proxy: d("See and resync the proxy's routes."),
        .shutdown: d("Shut the hub down."),
        .readMetrics: d("Read Prometheus metrics."),
    ]
}()
