// `load_roles` from the configuration: validate every entry and merge it with the built-in roles.
// A built-in role may be listed only to add members (`{name: admin, services: [ops]}`); `admin`'s
// scopes and description can never change, so a config typo cannot demote or widen the admin role.

/// One `load_roles` entry as written in the configuration file.
public struct RoleSpec: Hashable, Sendable {
    public var name: String
    public var description: String?
    /// nil when the entry does not mention scopes (keeps a built-in role's scopes).
    public var scopes: [String]?
    public var users: [String]
    public var groups: [String]
    public var services: [String]

    public init(name: String, description: String? = nil, scopes: [String]? = nil,
                users: [String] = [], groups: [String] = [], services: [String] = []) {
        self.name = name
        self.description = description
        self.scopes = scopes
        self.users = users
        self.groups = groups
        self.services = services
    }
}

/// Who a loaded role is assigned to by the configuration.
public struct RoleMembers: Hashable, Sendable {
    public var users: [String] = []
    public var groups: [String] = []
    public var services: [String] = []
}

/// The result of loading roles: every role (built-in first) and its configured members.
public struct LoadedRoles: Sendable {
    /// Built-in roles followed by configured ones, in configuration order.
    public let roles: [Role]
    /// Members named in `load_roles`, by role.
    public let members: [RoleName: RoleMembers]

    /// The role called `name`, if loaded.
    public func role(named name: RoleName) -> Role? { roles.first { $0.name == name } }
}

extension Roles {
    /// Validates `load_roles` entries and merges them with the built-in roles.
    public static func load(
        _ specs: [RoleSpec], extraUserScopes: [String] = [], hierarchy: ScopeHierarchy = .standard
    ) throws(RoleError) -> LoadedRoles {
        let extra: [Scope]
        do { extra = try Scope.parseAll(extraUserScopes, in: hierarchy) } catch {
            throw RoleError.badScope(role: RoleName.user.rawValue, error)
        }
        let builtins = defaults(extraUserScopes: extra)
        var byName: [RoleName: Role] = Dictionary(uniqueKeysWithValues: builtins.map { ($0.name, $0) })
        var order = builtins.map(\.name)
        var members: [RoleName: RoleMembers] = [:]
        var seen: Set<String> = []

        for spec in specs {
            let name = try RoleName(spec.name)
            guard seen.insert(spec.name).inserted else { throw RoleError.duplicate(spec.name) }
            var parsed: [Scope]? = nil
            if let raw = spec.scopes {
                do { parsed = try Scope.parseAll(raw, in: hierarchy) } catch {
                    throw RoleError.badScope(role: spec.name, error)
                }
            }
            let builtin = builtins.first { $0.name == name }
            if name == .admin, let admin = builtin {
                if let d = spec.description, d != admin.description { throw RoleError.cannotRedefineAdmin(field: "description") }
                if let p = parsed, Set(p) != Set(admin.scopes) { throw RoleError.cannotRedefineAdmin(field: "scopes") }
            }
            // A listed built-in role keeps whatever the entry does not mention.
            let role = Role(name: name, description: spec.description ?? builtin?.description,
                            scopes: parsed ?? builtin?.scopes ?? [])
            if byName[name] == nil { order.append(name) }
            byName[name] = role
            members[name] = RoleMembers(users: spec.users, groups: spec.groups, services: spec.services)
        }
        return LoadedRoles(roles: order.compactMap { byName[$0] }, members: members)
    }
}
