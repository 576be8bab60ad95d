// From raw scopes (as written in roles and on tokens) to the expanded set used for decisions,
// and the intersection that caps a token at what its owner may do right now. The rules follow
// JupyterHub 6: subscopes inherit the filter (except `read:users*` under a `!server` filter),
// bare `!user`/`!service`/`!server` resolve to the holder, `self` becomes the user's own scopes.

/// Who holds a set of raw scopes; decides what `self` and bare holder filters mean.
public enum ScopeHolder: Hashable, Sendable {
    case user(String)
    case service(String)
    /// A group (share or role holder) or nobody: `self` and holder filters resolve to nothing.
    case other
}

/// The OAuth client a token was issued to.
public enum OAuthClientTarget: Hashable, Sendable {
    /// The hub's own client (`jupyterhub`): ordinary API tokens.
    case hub
    /// A single-user server's client (`jupyterhub-user-alice[-nb1]`).
    case server(ServerRef)
    /// A service's client (`service-<name>`).
    case service(String)
}

extension ScopeHierarchy {
    /// Raw scopes a user's `self` stands for; each is expanded with `!user=<name>`.
    static let selfRawScopes: [ScopeName] = [
        .readUsers, .usersShares, .readShares, .usersActivity, .servers, .tokens, .accessServers,
    ]

    /// Expands raw scopes for `holder` (and the token's `client`, which decides bare `!server`).
    public func expand(_ scopes: some Sequence<Scope>, holder: ScopeHolder, client: OAuthClientTarget? = nil) -> ExpandedScopes {
        var out = ExpandedScopes()
        for scope in scopes {
            if scope.name == .self, scope.filter == nil {
                if case .user(let name) = holder { out.formUnion(selfScopes(forUser: name)) }
                continue
            }
            let filter = scope.filter.flatMap { resolve($0, holder: holder, client: client) }
            if scope.filter != nil, filter == nil { continue }  // holder filter with no holder: grants nothing
            for name in closure(of: scope.name) {
                if let filter, filter.isServerFilter, name.rawValue.hasPrefix("read:user") { continue }
                out.insert(Scope(name, filter: filter))
            }
        }
        return out
    }

    /// The scopes `self` means for user `name` (15 scopes, all `!user=name`).
    public func selfScopes(forUser name: String) -> ExpandedScopes {
        var out = ExpandedScopes()
        for raw in ScopeHierarchy.selfRawScopes {
            for sub in closure(of: raw) { out.insert(Scope(sub, filter: .user(name))) }
        }
        return out
    }

    private func resolve(_ filter: ScopeFilter, holder: ScopeHolder, client: OAuthClientTarget?) -> ScopeFilter? {
        guard case .holder(let kind) = filter else { return filter }
        switch kind {
        case .user:
            if case .user(let name) = holder { return .user(name) }
        case .service:
            if case .service(let name)? = client { return .service(name) }
            if case .service(let name) = holder { return .service(name) }
        case .server:
            if case .server(let ref)? = client { return .server(ref) }
        case .group:
            break
        }
        return nil
    }

    /// Scopes every token may use to identify its owner (`GET /user`).
    public func identifyScopes(for holder: ScopeHolder) -> ExpandedScopes {
        switch holder {
        case .user(let name):
            return ExpandedScopes([Scope(.readUsersName, filter: .user(name)), Scope(.readUsersGroups, filter: .user(name))])
        case .service(let name):
            return ExpandedScopes([Scope(.readServicesName, filter: .service(name))])
        case .other:
            return ExpandedScopes()
        }
    }

    /// The scope needed to use what an OAuth client fronts (a server or a service); none for the hub.
    public func accessScopes(for client: OAuthClientTarget) -> ExpandedScopes {
        switch client {
        case .hub: return ExpandedScopes()
        case .server(let ref): return ExpandedScopes([Scope(.accessServers, filter: .server(ref))])
        case .service(let name): return ExpandedScopes([Scope(.accessServices, filter: .service(name))])
        }
    }

    /// What a token may do now: its scopes (plus access and identify scopes) capped by the owner's current scopes.
    /// `ownerScopes` is the owner's expanded role scopes (plus shares granted directly to a user).
    public func effectiveTokenScopes(
        _ tokenScopes: [Scope], owner: ScopeHolder, ownerScopes: ExpandedScopes,
        client: OAuthClientTarget, membership: some GroupMembership
    ) throws -> ExpandedScopes {
        if tokenScopes.contains(Scope(.inherit)) { return ownerScopes }
        var wanted = expand(tokenScopes, holder: owner, client: client)
        wanted.formUnion(accessScopes(for: client))
        wanted.formUnion(identifyScopes(for: owner))
        return try wanted.intersection(ownerScopes, membership: membership)
    }

    /// Refuses a token request for scopes the owner does not hold (400 in the API), naming them.
    public func checkRequestedTokenScopes(
        _ requested: [Scope], owner: ScopeHolder, ownerName: String, ownerScopes: ExpandedScopes,
        client: OAuthClientTarget = .hub, membership: some GroupMembership
    ) throws {
        let concrete = requested.filter { $0 != Scope(.inherit) }
        let wanted = expand(concrete, holder: owner, client: client)
        if wanted.isEmpty { return }
        let granted = try wanted.intersection(ownerScopes, membership: membership)
        let excess = wanted.scopes.subtracting(granted.scopes)
        if !excess.isEmpty {
            throw ScopeError.excessScopes(excess.map(\.description).sorted(), owner: ownerName)
        }
    }
}

extension ScopeFilter {
    var isServerFilter: Bool {
        switch self {
        case .server, .holder(.server): return true
        default: return false
        }
    }
}

extension ExpandedScopes {
    /// Scopes granted by both sets, resolving user ⊂ group and server ⊂ user ⊂ group with `membership`
    /// (`read:users!user=a` ∩ `read:users!group=g` keeps the first iff a ∈ g).
    public func intersection(_ other: ExpandedScopes, membership: some GroupMembership) throws -> ExpandedScopes {
        let lookup = MemoizedMembership(membership)
        var out = ExpandedScopes()
        for (name, mine) in grants {
            guard let theirs = other.grants[name] else { continue }
            switch (mine, theirs) {
            case (.all, _): out.setGrant(theirs, for: name)
            case (_, .all): out.setGrant(mine, for: name)
            case (.only(let a), .only(let b)):
                out.setGrant(.only(try Self.intersect(a, b, lookup)), for: name)
            }
        }
        return out
    }

    private static func intersect(_ a: ScopeTargets, _ b: ScopeTargets, _ lookup: some GroupMembership) throws -> ScopeTargets {
        var common = ScopeTargets(
            users: a.users.intersection(b.users), servers: a.servers.intersection(b.servers),
            groups: a.groups.intersection(b.groups), services: a.services.intersection(b.services))
        for (x, y) in [(a, b), (b, a)] {
            for server in x.servers where !common.servers.contains(server) {
                if y.users.contains(server.user) {
                    common.servers.insert(server)
                } else if !y.groups.isEmpty, try !lookup.groupNames(ofUser: server.user).isDisjoint(with: y.groups) {
                    common.servers.insert(server)
                }
            }
            for user in x.users where !common.users.contains(user) && !y.groups.isEmpty {
                if try !lookup.groupNames(ofUser: user).isDisjoint(with: y.groups) { common.users.insert(user) }
            }
        }
        return common
    }
}
