// Scope negotiation for the hub's OAuth provider: which of the scopes a client asks for the user
// can actually grant. A requested scope the user holds only in part (e.g. `read:users` when they
// have `read:users!user=alice`) is narrowed to the part they hold rather than refused outright.

/// The outcome of resolving requested OAuth scopes against what the user holds.
public struct ResolvedScopes: Equatable, Sendable {
    /// Scopes to put on the token (requested scopes held in full, or the held part of them).
    public var allowed: Set<Scope>
    /// Requested scopes not granted in full (shown on the consent page / logged).
    public var disallowed: Set<Scope>
}

extension ScopeHierarchy {
    /// Splits `requested` into what `user` may grant via `client` and what they may not.
    public func resolveRequestedScopes(
        _ requested: [Scope], have: ExpandedScopes, user: String, client: OAuthClientTarget,
        membership: some GroupMembership
    ) throws -> ResolvedScopes {
        var result = ResolvedScopes(allowed: [], disallowed: [])
        for scope in requested {
            let wanted = expand([scope], holder: .user(user), client: client)
            let held = try wanted.intersection(have, membership: membership)
            if held == wanted {
                result.allowed.insert(scope)
            } else {
                result.disallowed.insert(scope)
                result.allowed.formUnion(held.scopes)
            }
        }
        return result
    }
}
