// Roles: named bundles of raw scopes. The four built-in roles are JupyterHub's, recreated at every
// start; a user's effective scopes are its own roles, its groups' roles and servers shared with it.

/// A validated role name: 3–255 chars, `^[a-z][a-z0-9\-_~\.]{1,253}[a-z0-9]$`.
public struct RoleName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `raw` as a role name.
    public init(_ raw: String) throws(RoleError) {
        guard RoleName.isValid(raw) else { throw RoleError.invalidName(raw) }
        rawValue = raw
    }

    private init(unchecked raw: String) { rawValue = raw }

    public var description: String { rawValue }
    public static func < (a: RoleName, b: RoleName) -> Bool { a.rawValue < b.rawValue }

    public static let user = RoleName(unchecked: "user")
    public static let admin = RoleName(unchecked: "admin")
    public static let server = RoleName(unchecked: "server")
    public static let token = RoleName(unchecked: "token")

    static func isValid(_ raw: String) -> Bool {
        let c = Array(raw.utf8)
        guard c.count >= 3, c.count <= 255 else { return false }
        func lower(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
        func digit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        let middle: Set<UInt8> = [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ".")]
        guard let first = c.first, lower(first), let last = c.last, lower(last) || digit(last) else { return false }
        return c.dropFirst().dropLast().allSatisfy { lower($0) || digit($0) || middle.contains($0) }
    }
}

/// A role: a name, an optional description, and raw (unexpanded) scopes.
public struct Role: Hashable, Sendable {
    public let name: RoleName
    public let description: String?
    public let scopes: [Scope]

    public init(name: RoleName, description: String?, scopes: [Scope]) {
        self.name = name
        self.description = description
        self.scopes = scopes
    }
}

/// Why a role definition was refused; each case names the role.
public enum RoleError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidName(String)
    case duplicate(String)
    case cannotRedefineAdmin(field: String)
    case badScope(role: String, ScopeError)

    public var description: String {
        switch self {
        case .invalidName(let n):
            return "Invalid role name '\(n)': role names are 3-255 characters of lowercase ASCII letters, digits and '-.~_', start with a letter and end with a letter or digit"
        case .duplicate(let n): return "Role '\(n)' is defined more than once in load_roles"
        case .cannotRedefineAdmin(let field): return "The admin role's \(field) cannot be changed; list only its members"
        case .badScope(let role, let error): return "Role '\(role)': \(error)"
        }
    }
}

/// The built-in roles and effective-scope computation.
public enum Roles {
    /// Scopes of the built-in `admin` role (cannot be redefined).
    public static let adminScopes: [ScopeName] = [
        .adminUI, .adminUsers, .adminServers, .adminServices, .tokens, .adminGroups, .listServices,
        .readServices, .readHub, .proxy, .shutdown, .accessServices, .accessServers, .readRoles,
        .readMetrics, .shares,
    ]

    /// `user`, `admin`, `server`, `token` as JupyterHub 6 defines them; `extraUserScopes` extend `user`.
    public static func defaults(extraUserScopes: [Scope] = []) -> [Role] {
        [
            Role(name: .user, description: "Standard user privileges", scopes: [Scope(.self)] + extraUserScopes),
            Role(name: .admin, description: "Elevated privileges (can do anything)", scopes: adminScopes.map { Scope($0) }),
            Role(name: .server, description: "Post activity only",
                 scopes: [Scope(.usersActivity, filter: .holder(.user)), Scope(.accessServers, filter: .holder(.server))]),
            Role(name: .token, description: "Token with same permissions as its owner", scopes: [Scope(.inherit)]),
        ]
    }

    /// Expanded scopes that `roles` give `holder`.
    public static func scopes(of roles: [Role], holder: ScopeHolder, hierarchy: ScopeHierarchy = .standard) -> ExpandedScopes {
        hierarchy.expand(roles.flatMap(\.scopes), holder: holder)
    }

    /// A user's effective scopes: own roles + roles of its groups + scopes of servers shared with it.
    /// For a token request pass only shares granted to the user itself (JupyterHub's behaviour).
    public static func userScopes(
        user: String, roles: [Role], groupRoles: [Role], shareScopes: [Scope] = [],
        hierarchy: ScopeHierarchy = .standard
    ) -> ExpandedScopes {
        var out = scopes(of: roles + groupRoles, holder: .user(user), hierarchy: hierarchy)
        out.formUnion(hierarchy.expand(shareScopes, holder: .user(user)))
        return out
    }

    /// A service's effective scopes (`self` means nothing for a service).
    public static func serviceScopes(service: String, roles: [Role], hierarchy: ScopeHierarchy = .standard) -> ExpandedScopes {
        scopes(of: roles, holder: .service(service), hierarchy: hierarchy)
    }
}
