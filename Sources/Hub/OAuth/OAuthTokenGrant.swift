// The token endpoint of the hub's OAuth2 provider (`POST /hub/api/oauth2/token`): a single-user server
// or service trades the authorization code from the browser redirect for an access token. Only the
// `authorization_code` grant exists (no refresh tokens); errors use OAuth's `{"error": …}` bodies.
import Auth
import Foundation
import HTTP
import Store

/// An OAuth2 error answer (RFC 6749 §5.2): status and `error` code, optional description.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let error: String
    public let errorDescription: String?

    public var description: String { errorDescription.map { "\(error): \($0)" } ?? error }

    static let unsupportedGrantType = OAuthError(status: 400, error: "unsupported_grant_type", errorDescription: nil)
    static let invalidClient = OAuthError(status: 401, error: "invalid_client", errorDescription: nil)
    static let invalidGrant = OAuthError(status: 400, error: "invalid_grant", errorDescription: nil)
    static func invalidRequest(_ why: String) -> OAuthError { OAuthError(status: 400, error: "invalid_request", errorDescription: why) }
}

/// The parameters of a token request, from the form body (and HTTP Basic for the client).
public struct OAuthTokenRequest: Sendable {
    public var grantType: String?
    public var code: String?
    public var redirectURI: String?
    public var clientID: String?
    public var clientSecret: String?
    public var codeVerifier: String?

    public init(grantType: String?, code: String?, redirectURI: String?, clientID: String?, clientSecret: String?,
                codeVerifier: String? = nil) {
        self.grantType = grantType; self.code = code; self.redirectURI = redirectURI
        self.clientID = clientID; self.clientSecret = clientSecret; self.codeVerifier = codeVerifier
    }

    /// Reads form parameters; `authorization` (an `Authorization` header value) supplies the client
    /// credentials when the body does not (`Basic base64(urlencoded id ":" urlencoded secret)`).
    init(form: [(name: String, value: String)], authorization: String?) throws(OAuthError) {
        var values: [String: String] = [:]
        for (name, value) in form {
            // oauthlib refuses repeated parameters; a second `code` or `client_id` is never meant well.
            guard values[name] == nil else { throw OAuthError.invalidRequest("Duplicate \(name) parameter.") }
            values[name] = value
        }
        func nonEmpty(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }
        grantType = nonEmpty("grant_type")
        code = nonEmpty("code")
        redirectURI = nonEmpty("redirect_uri")
        clientID = nonEmpty("client_id")
        clientSecret = nonEmpty("client_secret")
        codeVerifier = nonEmpty("code_verifier")
        if clientSecret == nil, let basic = authorization.flatMap(Self.basicCredentials) {
            if clientID == nil || clientID == basic.id {
                clientID = basic.id
                clientSecret = basic.secret
            }
        }
    }

    static func basicCredentials(_ header: String) -> (id: String, secret: String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        guard let id = PercentEncoding.decodeFormComponent(text[..<colon]),
              let secret = PercentEncoding.decodeFormComponent(text[text.index(after: colon)...]),
              !id.isEmpty, !secret.isEmpty else { return nil }
        return (id, secret)
    }
}

/// A successful token answer.
public struct OAuthTokenGrant: Sendable {
    /// The access token in clear (shown once; stored hashed).
    public let accessToken: String
    public let expiresIn: Int64
    /// Granted scopes, as stored with the code.
    public let scopes: [String]
    /// The stored token row.
    public let record: APIToken
}

extension Hub {
    /// OAuth access tokens live as long as a login cookie: `cookie_max_age_days` × 86 400 s (1 209 600 by default).
    public var oauthTokenLifetime: Int64 { Int64((configuration.jupyterHub.cookieMaxAgeDays * 86_400).rounded()) }

    /// Exchanges an authorization code: client authenticated by id and secret, code unexpired and of
    /// that client, PKCE checked when a challenge was stored, redirect URI equal to the code's; the code
    /// is deleted on use and the token stored hashed with the client id and the code's session id.
    public func grantOAuthToken(_ request: OAuthTokenRequest) async throws -> OAuthTokenGrant {
        guard request.grantType == "authorization_code" else { throw OAuthError.unsupportedGrantType }
        guard let code = request.code else { throw OAuthError.invalidRequest("Missing code parameter.") }
        let client = try await authenticateOAuthClient(id: request.clientID, secret: request.clientSecret)
        guard let stored = try await findOAuthCode(code), stored.clientID == client.identifier else { throw OAuthError.invalidGrant }
        if let challenge = stored.codeChallenge {
            guard let verifier = request.codeVerifier else { throw OAuthError.invalidRequest("Code verifier required.") }
            guard let method = PKCEMethod(parameter: stored.codeChallengeMethod),
                  PKCE.verify(verifier: verifier, challenge: challenge, method: method) else { throw OAuthError.invalidGrant }
        }
        // Without a redirect_uri the registered one applies (oauthlib's default); a different one is refused.
        if let redirect = request.redirectURI, redirect != stored.redirectURI {
            throw OAuthError.invalidRequest("Mismatching redirect URI.")
        }
        // Single use: whoever deletes the code first gets the token; a replay or a racing request does not.
        guard try await store.deleteOAuthCode(id: stored.id) else { throw OAuthError.invalidGrant }
        let token = try TokenGenerator.oauthToken()
        let hash = try TokenHash(hashing: token, origin: .generated)
        let record = try await store.createToken(NewAPIToken(
            prefix: TokenRules.prefix(of: token), hashed: hash.description, owner: .user(stored.userID),
            clientID: client.identifier, scopes: stored.scopes, note: "",
            expiresAt: Timestamp.now().adding(seconds: oauthTokenLifetime), sessionID: stored.sessionID))
        identitiesChanged()
        logger.info("issued OAuth token", metadata: ["client": "\(client.identifier)", "token": "a\(record.id.rawValue)"])
        return OAuthTokenGrant(accessToken: token, expiresIn: oauthTokenLifetime, scopes: stored.scopes, record: record)
    }

    /// The client whose hashed secret matches; `invalid_client` (401) for an unknown client, a client
    /// without a secret, or a wrong secret.
    func authenticateOAuthClient(id: String?, secret: String?) async throws -> OAuthClient {
        guard let id, let secret, let client = try await store.oauthClient(identifier: id),
              let storedSecret = client.secret, let hash = try? TokenHash(parsing: storedSecret) else { throw OAuthError.invalidClient }
        guard hash.matches(secret) else {
            logger.warning("OAuth client secret mismatch", metadata: ["client": "\(id)"])
            throw OAuthError.invalidClient
        }
        return client
    }

    /// The unexpired authorization code whose clear text is `code` (prefix lookup, constant-time compare).
    func findOAuthCode(_ code: String) async throws -> OAuthCode? {
        guard code.utf8.count <= TokenRules.maxLength else { return nil }
        let candidates = try await store.oauthCodes(withPrefix: TokenRules.prefix(of: code))
        return candidates.first { (try? TokenHash(parsing: $0.hashed))?.matches(code) ?? false }
    }
}
