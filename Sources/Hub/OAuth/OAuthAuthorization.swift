// The decision behind `GET /hub/api/oauth2/authorize` for a logged-in user: which client, where to
// send the browser back, which scopes the token may carry, and whether the user must confirm first.
// The consent page itself (oauth.html, POST back) belongs to the pages module, which calls
// `issueAuthorizationCode` once the user agrees.
import Auth
import HTTP
import Store

/// The query parameters of an authorize request.
public struct OAuthAuthorizeRequest: Sendable {
    public var clientID: String?
    public var redirectURI: String?
    public var responseType: String?
    public var state: String?
    /// Space-separated scopes; absent = the client's defaults.
    public var scope: String?
    public var codeChallenge: String?
    public var codeChallengeMethod: String?

    public init(clientID: String?, redirectURI: String? = nil, responseType: String? = "code", state: String? = nil,
                scope: String? = nil, codeChallenge: String? = nil, codeChallengeMethod: String? = nil) {
        self.clientID = clientID; self.redirectURI = redirectURI; self.responseType = responseType; self.state = state
        self.scope = scope; self.codeChallenge = codeChallenge; self.codeChallengeMethod = codeChallengeMethod
    }

    /// From a request's query string.
    public init(query: QueryParameters) {
        self.init(clientID: query["client_id"], redirectURI: query["redirect_uri"], responseType: query["response_type"],
                  state: query["state"], scope: query["scope"], codeChallenge: query["code_challenge"],
                  codeChallengeMethod: query["code_challenge_method"])
    }
}

/// A grant the user may give: everything needed to issue the code once confirmed.
public struct OAuthPendingGrant: Sendable, Equatable {
    public let clientID: String
    /// The client's description (`Server at /user/alice/`), for the consent page.
    public let clientDescription: String
    /// Scopes the token will carry, sorted.
    public let scopes: [String]
    /// The registered redirect URI (the request's must equal it).
    public let redirectURI: String
    public let state: String?
    public let codeChallenge: String?
    public let codeChallengeMethod: PKCEMethod?
}

/// What the authorize endpoint does for a logged-in user.
public enum OAuthAuthorizeDecision: Sendable, Equatable {
    /// Send the browser here: `redirect_uri?code=…&state=…`, or an OAuth error (`?error=…`) for the client.
    case redirect(String)
    /// Ask the user first (consent page), then call `issueAuthorizationCode`.
    case confirm(OAuthPendingGrant)
}

extension Hub {
    /// Authorization codes are valid for five minutes.
    public static let oauthCodeLifetime: Int64 = 300

    /// Decides an authorize request for `identity` (a user). Throws `HubError` 400 for an unknown client or
    /// a redirect URI other than the registered one (never redirect to an unverified URI), 403 when the
    /// user may not access what the client fronts; other problems go back to the client as `?error=`.
    public func decideOAuthAuthorization(_ request: OAuthAuthorizeRequest, identity: Identity) async throws -> OAuthAuthorizeDecision {
        guard let user = identity.user?.user else { throw HubError.forbidden("Only users can authorize OAuth clients") }
        guard let clientID = request.clientID, let client = try await store.oauthClient(identifier: clientID),
              client.secret != nil, let registered = client.redirectURI else {
            throw HubError.badRequest("Invalid client_id parameter value.")
        }
        if let redirect = request.redirectURI, redirect != registered { throw HubError.badRequest("Mismatching redirect URI.") }
        func refuse(_ error: String, _ description: String) -> OAuthAuthorizeDecision {
            var params = [("error", error), ("error_description", description)]
            if let state = request.state { params.append(("state", state)) }
            return .redirect(Self.addingQuery(params, to: registered))
        }
        guard let responseType = request.responseType else { return refuse("invalid_request", "Missing response_type parameter.") }
        guard responseType == "code" else { return refuse("unsupported_response_type", "Only response_type=code is supported.") }
        var method: PKCEMethod? = nil
        if request.codeChallenge != nil {
            guard let parsed = PKCEMethod(parameter: request.codeChallengeMethod) else {
                return refuse("invalid_request", "Transform algorithm not supported.")
            }
            method = parsed
        }

        let target = try await oauthClientTarget(client)
        let membership = try await GroupLookup.membership(of: [target.owner ?? user.name, user.name],
                                                          known: [user.name: Set(identity.user?.groups ?? [])], store: store)
        let access: Bool = switch target.client {
        case .server(let ref): try identity.scopes.has(.accessServers, on: .server(ref), membership: membership)
        case .service(let name): try identity.scopes.has(.accessServices, on: .service(name), membership: membership)
        case .hub: false
        }
        guard access else { throw HubError.forbidden("You do not have permission to access \(client.description ?? client.identifier)") }

        let holder = ScopeHolder.user(user.name)
        let required = scopeHierarchy.identifyScopes(for: holder).union(scopeHierarchy.accessScopes(for: target.client))
        var requestedText = (request.scope ?? "").split(separator: " ").map(String.init).filter { $0 != "identify" }
        let clientAllowed = client.allowedScopes
        if requestedText.isEmpty { requestedText = clientAllowed.contains("inherit") ? ["inherit"] : clientAllowed }
        let requested: [Scope]
        do { requested = try Scope.parseAll(requestedText, in: scopeHierarchy) } catch {
            return refuse("invalid_scope", "\(error)")
        }
        let scopes: [String]
        if requested.contains(Scope(.inherit)) {
            guard clientAllowed.contains("inherit") else { return refuse("invalid_scope", "Scope 'inherit' not allowed for \(clientID)") }
            scopes = ["inherit"]
        } else {
            // What the client may ask for at all (plus what every token gets), then what this user holds.
            let allowedForClient = scopeHierarchy.expand(parseScopes(clientAllowed, context: "client \(clientID)"), holder: holder,
                                                         client: target.client).union(required)
            let byClient = try scopeHierarchy.resolveRequestedScopes(requested, have: allowedForClient, user: user.name,
                                                                     client: target.client, membership: membership)
            if !byClient.disallowed.isEmpty {
                return refuse("invalid_scope", "Scope(s) not allowed for \(clientID): \(byClient.disallowed.map(\.description).sorted().joined(separator: ", "))")
            }
            let byUser = try scopeHierarchy.resolveRequestedScopes(requested, have: identity.scopes.union(required), user: user.name,
                                                                   client: target.client, membership: membership)
            scopes = Set(byUser.allowed.map(\.description)).union(required.sortedStrings).sorted()
        }
        let grant = OAuthPendingGrant(clientID: clientID, clientDescription: client.description ?? clientID, scopes: scopes,
                                      redirectURI: registered, state: request.state, codeChallenge: request.codeChallenge,
                                      codeChallengeMethod: method)
        if try await needsOAuthConfirmation(user: user, client: client, target: target.client, scopes: scopes) {
            return .confirm(grant)
        }
        return .redirect(try await issueAuthorizationCode(grant, user: user, sessionID: identity.sessionID))
    }

    /// Stores a code for `grant` (hashed, 5 minutes, with the session id and PKCE challenge) and returns
    /// the redirect to the client: `redirect_uri?code=<30 chars>&state=<state>`.
    public func issueAuthorizationCode(_ grant: OAuthPendingGrant, user: User, sessionID: String?) async throws -> String {
        let code = try TokenGenerator.oauthToken()
        let hash = try TokenHash(hashing: code, origin: .generated)
        _ = try await store.createOAuthCode(NewOAuthCode(
            prefix: TokenRules.prefix(of: code), hashed: hash.description, clientID: grant.clientID, userID: user.id,
            redirectURI: grant.redirectURI, scopes: grant.scopes, sessionID: sessionID, codeChallenge: grant.codeChallenge,
            codeChallengeMethod: grant.codeChallengeMethod?.rawValue, expiresAt: Timestamp.now().adding(seconds: Self.oauthCodeLifetime)))
        var params = [("code", code)]
        if let state = grant.state { params.append(("state", state)) }
        return Self.addingQuery(params, to: grant.redirectURI)
    }

    /// No consent for the user's own servers, `oauth_no_confirm` services, or scopes this client already holds.
    func needsOAuthConfirmation(user: User, client: OAuthClient, target: OAuthClientTarget, scopes: [String]) async throws -> Bool {
        switch target {
        case .server(let ref) where ref.user == user.name: return false
        case .service(let name) where configuration.jupyterHub.services.contains(where: { $0.name == name && $0.oauthNoConfirm }):
            return false
        default: break
        }
        let granted = try await store.tokens(of: .user(user.id)).filter { $0.clientID == client.identifier }.flatMap(\.scopes)
        return granted.isEmpty || !Set(scopes).isSubset(of: Set(granted))
    }

    /// Which server or service a client fronts. Server client ids embed the owner and server name; the
    /// split is confirmed against existing rows so `a-b` (user) and `a` + server `b` stay distinct.
    func oauthClientTarget(_ client: OAuthClient) async throws -> (client: OAuthClientTarget, owner: String?) {
        let prefix = "jupyterhub-user-"
        if client.identifier.hasPrefix(prefix) {
            let rest = client.identifier.dropFirst(prefix.count)
            var splits: [(Substring, Substring)] = [(rest, "")]
            for index in rest.indices where rest[index] == "-" {
                splits.append((rest[..<index], rest[rest.index(after: index)...]))
            }
            for (userPart, serverPart) in splits {
                guard let name = PercentEncoding.decode(userPart), let server = PercentEncoding.decode(serverPart) else { continue }
                let ref = ServerRef(user: name, name: server)
                guard OAuthClientIDs.forServer(ref) == client.identifier,
                      let owner = try await store.user(named: name),
                      try await store.server(userID: owner.id, name: server) != nil else { continue }
                return (.server(ref), name)
            }
        }
        for service in try await store.services()
        where service.oauthClientID == client.identifier || OAuthClientIDs.forService(named: service.name) == client.identifier {
            return (.service(service.name), nil)
        }
        // A client fronting nothing (stale, or forged): JupyterHub answers 500 "OAuth configuration error".
        throw HubError(.internalServerError, "OAuth configuration error")
    }

    /// `uri` with `params` appended to its query (form-encoded), before any fragment.
    static func addingQuery(_ params: [(String, String)], to uri: String) -> String {
        let encoded = params.map { PaginationMeta.formEncode($0.0) + "=" + PaginationMeta.formEncode($0.1) }.joined(separator: "&")
        var base = Substring(uri)
        var fragment = ""
        if let hash = base.firstIndex(of: "#") { fragment = String(base[hash...]); base = base[..<hash] }
        return base + (base.contains("?") ? "&" : "?") + encoded + fragment
    }
}
