// Credential → identity: `Authorization: token|bearer <t>` → length check → prefix lookup →
// constant-time hash compare → owner (blocked users refused) → effective scopes. Results are cached
// by token digest (see IdentityCache); activity is recorded on every authenticated use.
import Auth
import HTTP
import HTTPTypes
import Store

extension Hub {
    /// The caller of `request`: token first, then the installed cookie authenticator; nil if anonymous.
    /// `?token=` is deliberately not read: the hub API only accepts the header (JupyterHub 5+).
    func identify(_ request: HTTPServerRequest) async throws -> Identity? {
        if let header = request.head.value(.authorization), let token = AuthorizationHeader.token(from: header) {
            guard let identity = try await identify(token: token) else { return nil }
            activity.record(identity)
            return identity
        }
        if let cookies = cookieAuthenticator {
            return try await cookies.identity(for: request, hub: self)
        }
        return nil
    }

    /// The identity a raw API token stands for, or nil when it is unknown, expired, too long or its owner is blocked.
    public func identify(token: String) async throws -> Identity? {
        do { try TokenRules.checkPresented(token) } catch { return nil }
        guard let key = CredentialDigest(token) else { throw HubError(.internalServerError, "Hashing failed") }
        if let cached = identities.lookup(key) { return cached }
        return try await identities.resolveShared(key) { [self] in
            let resolved = try await resolve(token: token)
            var notAfter: ContinuousClock.Instant? = nil
            if let expires = resolved?.token?.expiresAt {
                let remaining = expires.microseconds - Timestamp.now().microseconds
                notAfter = ContinuousClock.now + .microseconds(max(0, remaining))
            }
            return (resolved, notAfter)
        }
    }

    private func resolve(token: String) async throws -> Identity? {
        let candidates = try await store.tokens(withPrefix: TokenRules.prefix(of: token))
        guard let row = candidates.first(where: { candidate in
            guard let hash = try? TokenHash(parsing: candidate.hashed) else { return false }
            return hash.matches(token)
        }) else { return nil }
        guard let owner = row.owner else { return nil }
        let tokenScopes = parseScopes(row.scopes, context: "token a\(row.id)")
        switch owner {
        case .user(let userID):
            guard let user = try await store.user(id: userID), !user.blocked else { return nil }
            let snapshot = try await userSnapshot(user)
            let ownerScopes = try await userScopes(snapshot, viaGroupShares: false)
            let client = try await OAuthClientIDs.target(of: row.clientID, ownerUser: user.name) { try await self.store.services() }
            let scopes = try await tokenScopesCapped(tokenScopes, holder: .user(user.name), ownerScopes: ownerScopes,
                                                     client: client, known: [user.name: Set(snapshot.groups)])
            return Identity(owner: .user(snapshot), credential: .token(row), scopes: scopes)
        case .service(let serviceID):
            guard let service = try await store.service(id: serviceID) else { return nil }
            let stored = try await store.roles(of: .service(service.id))
            let ownerScopes = Roles.serviceScopes(service: service.name, roles: authRoles(stored), hierarchy: scopeHierarchy)
            let client = try await OAuthClientIDs.target(of: row.clientID, ownerUser: nil) { try await self.store.services() }
            let scopes = try await tokenScopesCapped(tokenScopes, holder: .service(service.name), ownerScopes: ownerScopes,
                                                     client: client, known: [:])
            return Identity(owner: .service(service), credential: .token(row), scopes: scopes,
                            serviceRoleNames: stored.map(\.name))
        }
    }

    private func tokenScopesCapped(_ tokenScopes: [Scope], holder: ScopeHolder, ownerScopes: ExpandedScopes,
                                   client: OAuthClientTarget, known: [String: Set<String>]) async throws -> ExpandedScopes {
        // Only an intersection involving group grants needs memberships; fetch them just then.
        let requested = scopeHierarchy.expand(tokenScopes, holder: holder, client: client)
        var membership = PrefetchedMembership.empty
        if GroupLookup.involvesGroups([requested, ownerScopes]) {
            let users = GroupLookup.usersNamed(in: [requested, ownerScopes])
            membership = try await GroupLookup.membership(of: users, known: known, store: store)
        }
        return try scopeHierarchy.effectiveTokenScopes(tokenScopes, owner: holder, ownerScopes: ownerScopes,
                                                       client: client, membership: membership)
    }

    /// A user's row with groups, direct role names and servers, as models and scope checks need them.
    /// Served from the Store's user directory; `user` itself is kept (it may be a newer copy than the directory's).
    public func userSnapshot(_ user: User) async throws -> UserSnapshot {
        let view = try await store.userView(id: user.id)
        return UserSnapshot(user: user, groups: view?.groups ?? [], roles: view?.roles ?? [], servers: view?.servers ?? [])
    }

    /// A user's own scopes: the implicit `user` role, direct and group roles, and shares
    /// (only those granted to the user directly unless `viaGroupShares`, JupyterHub's token quirk).
    public func userScopes(_ snapshot: UserSnapshot, viaGroupShares: Bool) async throws -> ExpandedScopes {
        let id = snapshot.user.id
        async let stored = store.effectiveRoles(ofUsers: [id])
        async let shares = store.shares(.grantedToUser(id, viaGroups: viaGroupShares))
        var held = authRoles(try await stored[id] ?? [])
        // Every user holds `user` (JupyterHub assigns it at creation); never depend on a row for it.
        if !held.contains(where: { $0.name == .user }), let userRole = roles.role(named: .user) { held.append(userRole) }
        let shareScopes = try await shares.items.flatMap { parseScopes($0.scopes, context: "share \($0.id)") }
        return Roles.userScopes(user: snapshot.user.name, roles: held, groupRoles: [], shareScopes: shareScopes,
                                hierarchy: scopeHierarchy)
    }

    /// A service's scopes from its roles.
    public func serviceScopes(_ service: Service) async throws -> ExpandedScopes {
        let stored = try await store.roles(of: .service(service.id))
        return Roles.serviceScopes(service: service.name, roles: authRoles(stored), hierarchy: scopeHierarchy)
    }

    /// Stored roles as Auth roles; a row with an unparsable scope is skipped with a warning, never trusted half-way.
    func authRoles(_ stored: [StoredRole]) -> [Auth.Role] {
        stored.compactMap { row in
            do {
                return Auth.Role(name: try RoleName(row.name), description: row.description,
                                 scopes: try Scope.parseAll(row.scopes, in: scopeHierarchy))
            } catch {
                logger.warning("ignoring stored role with invalid definition", metadata: ["role": "\(row.name)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// Parses stored scope strings, dropping (and logging) any this hub does not know.
    func parseScopes(_ texts: [String], context: String) -> [Scope] {
        texts.compactMap { text in
            do { return try Scope(parsing: text, in: scopeHierarchy) } catch {
                logger.warning("ignoring unknown scope", metadata: ["owner": "\(context)", "scope": "\(text)"])
                return nil
            }
        }
    }
}
