// What the token model reports besides the row: the scopes the token may use *now* (its own scopes
// capped by the owner's current ones, as JupyterHub's `get_scopes_for(token)`) and the display name
// of the OAuth client that issued it. Computed for a whole list of one user's tokens at once.
import Auth
import Store

/// The computed parts of one token model.
public struct TokenDetails: Sendable, Equatable {
    /// Effective scopes, sorted.
    public var scopes: [String]
    /// The issuing client's description, or its identifier (`JupyterHub` for ordinary tokens).
    public var oauthClient: String
}

extension Hub {
    /// Details of `tokens`, all owned by `owner`: one owner-scope computation, one lookup per distinct client.
    func tokenDetails(_ tokens: [APIToken], owner: UserSnapshot) async throws -> [TokenID: TokenDetails] {
        guard !tokens.isEmpty else { return [:] }
        let name = owner.user.name
        let ownerScopes = try await userScopes(owner, viaGroupShares: false)
        var services: [Service]? = nil
        var clients: [String: OAuthClientTarget] = [:]
        for clientID in Set(tokens.map(\.clientID)) {
            clients[clientID] = try await OAuthClientIDs.target(of: clientID, ownerUser: name) {
                if let services { return services }
                let all = try await self.store.services()
                services = all
                return all
            }
        }
        let parsed = tokens.map { parseScopes($0.scopes, context: "token a\($0.id)") }
        // Memberships only matter when a group-filtered grant meets a user-filtered one; fetch them once.
        var sets = [ownerScopes]
        for (token, scopes) in zip(tokens, parsed) {
            sets.append(scopeHierarchy.expand(scopes, holder: .user(name), client: clients[token.clientID] ?? .hub))
        }
        var membership = PrefetchedMembership.empty
        if GroupLookup.involvesGroups(sets) {
            membership = try await GroupLookup.membership(of: GroupLookup.usersNamed(in: sets),
                                                          known: [name: Set(owner.groups)], store: store)
        }
        let names = try await oauthClientNames(Set(tokens.map(\.clientID)))
        var out: [TokenID: TokenDetails] = [:]
        for (token, scopes) in zip(tokens, parsed) {
            let effective = try scopeHierarchy.effectiveTokenScopes(
                scopes, owner: .user(name), ownerScopes: ownerScopes, client: clients[token.clientID] ?? .hub,
                membership: membership)
            out[token.id] = TokenDetails(scopes: effective.sortedStrings, oauthClient: names[token.clientID] ?? token.clientID)
        }
        return out
    }

    /// Display names of OAuth clients: the description, else the identifier (the row may be gone).
    private func oauthClientNames(_ identifiers: Set<String>) async throws -> [String: String] {
        var names: [String: String] = [:]
        for identifier in identifiers {
            let client = try await store.oauthClient(identifier: identifier)
            let description = client?.description ?? ""
            names[identifier] = description.isEmpty ? identifier : description
        }
        return names
    }
}
