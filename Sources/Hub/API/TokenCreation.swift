// `POST /users/{name}/tokens`: issue a new API token, shown once. The order of checks is JupyterHub 6's
// `UserTokenListAPIHandler.post`: body shape → who asks (token, cookie, or `auth` in the body) →
// `tokens` on the owner (a 403 that never reveals whether the user exists) → note, types, expiry →
// roles resolved to scopes → scopes must exist and be held by the owner.
import Auth
import HTTP
import Store

/// Verifies credentials sent in a request body (`auth` of `POST /users/{name}/tokens`), as JupyterHub's
/// `Authenticator.authenticate` does there; installed by the login code with `Hub.setBodyCredentialAuthenticator`.
public protocol BodyCredentialAuthenticator: Sendable {
    /// The name of the user `auth` proves, nil if it proves nothing.
    func userName(authenticating auth: JSONValue, hub: Hub) async throws -> String?
}

/// Token issuing through the REST API.
enum TokenCreation {
    static let bodyKeys: Set<String> = ["expires_in", "note", "scopes", "roles", "auth"]

    static func create(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try TokensAPI.userName(request)
        let hub = request.hub
        let raw = try await request.json()
        guard raw == .null || raw.objectValue != nil else { throw HubError.badRequest("Body must be a JSON dict or empty") }
        let asker = try await requester(request, auth: raw["auth"])
        let identity = try asker.requireIdentity()
        let kind = identity.service == nil ? "User" : "Service"
        let denied = HubError.forbidden("\(kind) \(name) not found or no permissions to generate tokens")
        guard try await asker.holds(.tokens, on: .user(name)), let user = try await hub.store.user(named: name) else {
            throw denied
        }
        let owner = try await hub.userSnapshot(user)
        let body = try JSONObjectFields(raw == .null ? .object([:]) : raw, allowed: bodyKeys)

        var note = try body.string("note") ?? ""
        if note.isEmpty {
            note = "Requested via api"
            if identity.user?.user.id != user.id { note += " by \(kind.lowercased()) \(identity.name)" }
        }
        let roles = try body.strings("roles")
        let requestedScopes = try body.strings("scopes")
        let expiresIn = try expiry(try body.int("expires_in"), max: Int64(hub.configuration.jupyterHub.tokenExpiresInMaxSeconds))
        let scopes = try await scopesToStore(roles: roles, scopes: requestedScopes, hub: hub)
        try await checkHeld(scopes, owner: owner, hub: hub)

        let (token, record) = try await hub.issueToken(owner: .user(user.id), scopes: scopes, note: note, expiresIn: expiresIn)
        if identity.user?.user.id == user.id {
            hub.logger.info("User requested new API token", metadata: ["user": "\(name)"])
        } else {
            hub.logger.info("API token requested for another user",
                            metadata: ["requester": "\(kind.lowercased()) \(identity.name)", "user": "\(name)"])
        }
        let details = try await hub.tokenDetails([record], owner: owner)
        let d = details[record.id] ?? TokenDetails(scopes: [], oauthClient: record.clientID)
        var w = JSONWriter(capacity: 640)
        request.models().writeToken(record, ownerName: name, scopes: d.scopes, oauthClient: d.oauthClient, to: &w) { w in
            w.key("token"); w.string(token)
        }
        return .json(w, status: .created)
    }

    /// The request as seen from whoever asks: the authenticated caller, else the user `auth` in the body
    /// proves (with that user's full scopes, as a login would give). Anonymous without either → 403.
    static func requester(_ request: APIRequest, auth: JSONValue?) async throws -> APIRequest {
        if request.identity != nil { return request }
        guard let auth, auth != .null, let authenticator = request.hub.bodyCredentialAuthenticator else {
            throw HubError.missingCredentials
        }
        let name: String?
        do {
            name = try await authenticator.userName(authenticating: auth, hub: request.hub)
        } catch {
            // Any failure to authenticate is a bare 403, whatever the authenticator's reason.
            request.hub.logger.info("Token request with body credentials refused", metadata: ["error": "\(error)"])
            throw HubError.forbidden()
        }
        guard let name, let user = try await request.hub.store.user(named: name), !user.blocked else { throw HubError.forbidden() }
        let snapshot = try await request.hub.userSnapshot(user)
        let scopes = try await request.hub.userScopes(snapshot, viaGroupShares: true)
        return request.acting(as: Identity(owner: .user(snapshot), credential: .cookie(sessionID: nil), scopes: scopes))
    }

    /// Seconds until expiry: null/0 = never (or the configured maximum when one is set); above it → 400.
    static func expiry(_ requested: Int64?, max: Int64) throws(HubError) -> Int64? {
        if let requested, requested < 0 {
            throw HubError.badRequest("token expires_in must be a positive integer or null, not \(requested)")
        }
        let seconds = requested == 0 ? nil : requested
        guard max > 0 else { return seconds }
        // JupyterHub lets 0 slip past the maximum as "never"; a configured maximum is meant to hold.
        guard let seconds else { return max }
        if seconds > max { throw HubError.badRequest("token expires_in: \(seconds) must not exceed \(max)") }
        return seconds
    }

    /// The raw scopes to store: as requested, from roles (resolved now; tokens keep no roles), or role `token`'s.
    static func scopesToStore(roles: [String]?, scopes: [String]?, hub: Hub) async throws -> [String] {
        if roles != nil, scopes != nil {
            throw HubError.badRequest("Can only assign one of scopes or roles when creating tokens.")
        }
        if let scopes { return scopes }
        guard let roles else {
            return try await hub.store.role(named: RoleName.token.rawValue)?.scopes ?? [ScopeName.inherit.rawValue]
        }
        var out: [String] = []
        for name in roles {
            guard let role = try await hub.store.role(named: name) else { throw HubError.badRequest("No such role: \(name)") }
            for scope in role.scopes where !out.contains(scope) { out.append(scope) }
        }
        return out
    }

    /// 400 for an unknown scope or one the owner does not hold (naming them), checked against the owner's
    /// full current scopes including shares through groups, as JupyterHub's `_check_token_scopes`.
    static func checkHeld(_ raw: [String], owner: UserSnapshot, hub: Hub) async throws {
        let name = owner.user.name
        do {
            let scopes = try Scope.parseAll(raw, in: hub.scopeHierarchy)
            let ownerScopes = try await hub.userScopes(owner, viaGroupShares: true)
            let wanted = hub.scopeHierarchy.expand(scopes, holder: .user(name), client: .hub)
            var membership = PrefetchedMembership.empty
            if GroupLookup.involvesGroups([wanted, ownerScopes]) {
                membership = try await GroupLookup.membership(of: GroupLookup.usersNamed(in: [wanted, ownerScopes]),
                                                              known: [name: Set(owner.groups)], store: hub.store)
            }
            try hub.scopeHierarchy.checkRequestedTokenScopes(scopes, owner: .user(name), ownerName: "User \(name)",
                                                             ownerScopes: ownerScopes, membership: membership)
        } catch let error as ScopeError {
            throw HubError.badRequest(error.description)
        }
    }
}

extension APIRequest {
    /// This request with `identity` as its caller (a `POST /users/{name}/tokens` authenticated by its body),
    /// so authorization still goes through `authorize`/`holds`.
    func acting(as identity: Identity) -> APIRequest {
        APIRequest(head: head, path: path, identity: identity, hub: hub, remoteIP: remoteIP, isSecure: isSecure, body: body)
    }
}
