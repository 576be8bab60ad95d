// The "parsed" form of a scope set: per scope base, either every resource or a set of named ones.
// Everything that decides access works on this form, so an unfiltered scope always absorbs its
// filtered variants (`read:users` swallows `read:users!user=a`) exactly like JupyterHub's reduce.

/// The resources a filtered scope covers.
public struct ScopeTargets: Hashable, Sendable {
    public var users: Set<String> = []
    public var servers: Set<ServerRef> = []
    public var groups: Set<String> = []
    public var services: Set<String> = []

    public init(users: Set<String> = [], servers: Set<ServerRef> = [], groups: Set<String> = [], services: Set<String> = []) {
        self.users = users
        self.servers = servers
        self.groups = groups
        self.services = services
    }

    /// True when no resource is named at all (such a grant gives nothing).
    public var isEmpty: Bool { users.isEmpty && servers.isEmpty && groups.isEmpty && services.isEmpty }

    /// The filter kinds that name at least one resource.
    public var kinds: Set<ScopeFilterKind> {
        var out: Set<ScopeFilterKind> = []
        if !users.isEmpty { out.insert(.user) }
        if !servers.isEmpty { out.insert(.server) }
        if !groups.isEmpty { out.insert(.group) }
        if !services.isEmpty { out.insert(.service) }
        return out
    }

    mutating func insert(_ filter: ScopeFilter) {
        switch filter {
        case .user(let u): users.insert(u)
        case .server(let s): servers.insert(s)
        case .group(let g): groups.insert(g)
        case .service(let s): services.insert(s)
        case .holder: break  // unresolved holder filters grant nothing
        }
    }

    mutating func formUnion(_ other: ScopeTargets) {
        users.formUnion(other.users)
        servers.formUnion(other.servers)
        groups.formUnion(other.groups)
        services.formUnion(other.services)
    }

    var filters: [ScopeFilter] {
        users.map { .user($0) } + servers.map { .server($0) } + groups.map { .group($0) } + services.map { .service($0) }
    }
}

/// What a scope base grants: all resources, or only some.
public enum ScopeGrant: Hashable, Sendable {
    case all
    case only(ScopeTargets)
}

/// A fully expanded, reduced set of scopes (no metascopes resolved here, no holder filters).
public struct ExpandedScopes: Hashable, Sendable, CustomStringConvertible {
    /// Per scope base, what it grants.
    public private(set) var grants: [ScopeName: ScopeGrant] = [:]

    public init() {}

    /// Builds the reduced form of already-expanded scopes; bare holder filters (`!user`) are dropped.
    public init(_ scopes: some Sequence<Scope>) {
        for scope in scopes { insert(scope) }
    }

    /// Adds one scope, keeping the set reduced.
    public mutating func insert(_ scope: Scope) {
        guard let filter = scope.filter else {
            grants[scope.name] = .all
            return
        }
        if case .holder = filter { return }
        switch grants[scope.name] {
        case .all: return
        case .only(var targets):
            targets.insert(filter)
            grants[scope.name] = .only(targets)
        case nil:
            var targets = ScopeTargets()
            targets.insert(filter)
            grants[scope.name] = .only(targets)
        }
    }

    /// Adds every scope of `other`.
    public mutating func formUnion(_ other: ExpandedScopes) {
        for (name, grant) in other.grants {
            switch (grants[name], grant) {
            case (.all, _): continue
            case (_, .all), (nil, _): grants[name] = grant
            case (.only(var mine), .only(let theirs)):
                mine.formUnion(theirs)
                grants[name] = .only(mine)
            }
        }
    }

    /// The union of two sets.
    public func union(_ other: ExpandedScopes) -> ExpandedScopes {
        var copy = self
        copy.formUnion(other)
        return copy
    }

    /// What `name` grants, or nil if it is not held at all.
    public func grant(for name: ScopeName) -> ScopeGrant? { grants[name] }

    /// Whether no scope is held.
    public var isEmpty: Bool { grants.isEmpty }

    /// The scopes one by one, e.g. for a token model or `GET /user`.
    public var scopes: Set<Scope> {
        var out: Set<Scope> = []
        for (name, grant) in grants {
            switch grant {
            case .all: out.insert(Scope(name))
            case .only(let targets): for f in targets.filters { out.insert(Scope(name, filter: f)) }
            }
        }
        return out
    }

    /// Wire strings, sorted, as JupyterHub reports them.
    public var sortedStrings: [String] { scopes.map(\.description).sorted() }

    public var description: String { sortedStrings.joined(separator: " ") }

    mutating func setGrant(_ grant: ScopeGrant?, for name: ScopeName) {
        if case .only(let t)? = grant, t.isEmpty {
            grants[name] = nil
        } else {
            grants[name] = grant
        }
    }
}
