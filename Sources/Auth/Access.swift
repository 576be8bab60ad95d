// The single access decision every API handler makes: "does this caller hold scope X on resource R?"
// Semantics are JupyterHub's `needs_scope`/`has_scope`: a scope held only for *other* resources
// answers 404 (so names of resources you cannot see are not revealed), a scope not held at all 403.

/// The resource an endpoint acts on.
public enum AccessTarget: Hashable, Sendable {
    /// No specific resource (e.g. `POST /users`, `GET /info`).
    case none
    case user(String)
    case server(ServerRef)
    case group(String)
    case service(String)
}

/// The outcome of an access check, mapped by the hub to 200 / 404 / 403.
public enum AccessDecision: Equatable, Sendable {
    case allowed
    /// The scope is held, but only for other resources.
    case notFound
    /// The scope is not held; the message names the required scopes.
    case forbidden(String)

    /// HTTP status for a refusal (nil when allowed).
    public var status: Int? {
        switch self {
        case .allowed: return nil
        case .notFound: return 404
        case .forbidden: return 403
        }
    }

    /// Error message for a refusal.
    public var message: String? {
        switch self {
        case .allowed: return nil
        case .notFound: return "No access to resources or resources not found"
        case .forbidden(let message): return message
        }
    }

    /// Message for a request with no (valid) credentials at all; 403 in JupyterHub.
    public static let missingCredentialsMessage = "Missing or invalid credentials."
}

/// What a list endpoint may show: everything, only rows matching the filters, or nothing (403).
public enum ListAccess: Equatable, Sendable {
    case all
    case only(ScopeTargets)
    /// 403; the message is nil for an unsupported filter (JupyterHub answers a bare 403 there).
    case forbidden(String?)

    /// Whether a user row (with its group names) may be listed.
    public func includesUser(_ name: String, groups: Set<String>) -> Bool {
        switch self {
        case .all: return true
        case .only(let t): return t.users.contains(name) || !t.groups.isDisjoint(with: groups)
        case .forbidden: return false
        }
    }

    /// Whether a group row may be listed.
    public func includesGroup(_ name: String) -> Bool {
        switch self {
        case .all: return true
        case .only(let t): return t.groups.contains(name)
        case .forbidden: return false
        }
    }

    /// Whether a service row may be listed.
    public func includesService(_ name: String) -> Bool {
        switch self {
        case .all: return true
        case .only(let t): return t.services.contains(name)
        case .forbidden: return false
        }
    }
}

/// How a list endpoint treats a filter kind it cannot apply to its rows.
public enum UnsupportedListFilter: Sendable {
    /// 403, as `GET /users` and `GET /groups` do (never widen `!server=` to all rows).
    case forbid
    /// Ignore it (rows simply don't match), as `GET /services` does.
    case ignore
}

extension ExpandedScopes {
    /// Whether `name` is held for `target` (for `.none`: held without any filter).
    public func has(_ name: ScopeName, on target: AccessTarget, membership: some GroupMembership) throws -> Bool {
        guard let grant = grants[name] else { return false }
        guard case .only(let t) = grant else { return true }
        switch target {
        case .none:
            return false
        case .user(let user):
            if t.users.contains(user) { return true }
            return try !t.groups.isEmpty && !membership.groupNames(ofUser: user).isDisjoint(with: t.groups)
        case .server(let ref):
            if t.servers.contains(ref) || t.users.contains(ref.user) { return true }
            return try !t.groups.isEmpty && !membership.groupNames(ofUser: ref.user).isDisjoint(with: t.groups)
        case .group(let group):
            return t.groups.contains(group)
        case .service(let service):
            return t.services.contains(service)
        }
    }

    /// The decision for an endpoint that needs any one of `required` on `target`.
    public func authorize(anyOf required: [ScopeName], on target: AccessTarget, membership: some GroupMembership) throws -> AccessDecision {
        let lookup = MemoizedMembership(membership)
        for name in required where try has(name, on: target, membership: lookup) {
            return .allowed
        }
        if target != .none, required.contains(where: { grants[$0] != nil }) {
            return .notFound
        }
        return .forbidden(Self.forbiddenMessage(required))
    }

    /// The decision for an endpoint that needs `required` on `target`.
    public func authorize(_ required: ScopeName, on target: AccessTarget, membership: some GroupMembership) throws -> AccessDecision {
        try authorize(anyOf: [required], on: target, membership: membership)
    }

    /// For list endpoints: which rows `required` lets the caller see; `allowedFilters` are those the rows can be filtered by.
    public func listAccess(_ required: ScopeName, allowedFilters: Set<ScopeFilterKind>, otherFilters: UnsupportedListFilter = .forbid) -> ListAccess {
        switch grants[required] {
        case nil: return .forbidden(Self.forbiddenMessage([required]))
        case .all: return .all
        case .only(let t):
            if otherFilters == .forbid, !t.kinds.isSubset(of: allowedFilters) { return .forbidden(nil) }
            return .only(t)
        }
    }

    static func forbiddenMessage(_ required: [ScopeName]) -> String {
        "Action is not authorized with current scopes; requires any of [\(required.map(\.rawValue).joined(separator: ", "))]"
    }
}
