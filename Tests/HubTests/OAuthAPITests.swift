import Auth
import Foundation
import HTTP
import HTTPTypes
import Store
import Testing
@testable import Hub

/// alice's default server is a registered client (`jupyterhub-user-alice`, secret = its server token).
struct OAuthFixture {
    static let clientID = "jupyterhub-user-alice"
    static let secret = "0123456789abcdef0123456789abcdef"
    static let redirect = "/user/alice/oauth_callback"

    let alice: User
    let aliceToken: String

    init(_ h: HubHarness) async throws {
        alice = try await h.createUser("alice")
        try await h.createUser("bob")
        try await h.createUser("root", admin: true)
        _ = try await h.store.createServer(NewServer(userID: alice.id))
        let hash = try TokenHash(hashing: Self.secret, origin: .operatorSupplied)
        try await h.store.saveOAuthClient(identifier: Self.clientID, description: "Server at /user/alice/", secretHash: hash.description,
                                          redirectURI: Self.redirect)
        aliceToken = try await h.token(for: "alice")
    }

    /// A code issued through the authorize decision, as alice's browser would get it.
    func code(_ h: HubHarness, challenge: String? = nil, method: String? = nil, sessionID: String? = nil) async throws -> String {
        let identity = try #require(try await h.hub.identify(token: aliceToken))
        let session = Identity(owner: identity.owner, credential: .cookie(sessionID: sessionID), scopes: identity.scopes)
        let decision = try await h.hub.decideOAuthAuthorization(
            OAuthAuthorizeRequest(clientID: Self.clientID, redirectURI: Self.redirect, state: "st8", codeChallenge: challenge,
                                  codeChallengeMethod: method), identity: session)
        guard case .redirect(let location) = decision else { Issue.record("expected a redirect, got \(decision)"); return "" }
        #expect(location.hasPrefix(Self.redirect + "?code="))
        #expect(location.hasSuffix("&state=st8"))
        let code = String(location.dropFirst((Self.redirect + "?code=").count).prefix { $0 != "&" })
        #expect(code.count == 30)
        return code
    }

    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        Array(pairs.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&").utf8)
    }

    static func tokenRequest(_ h: HubHarness, _ pairs: [(String, String)], headers: HTTPFields = [:]) async throws -> HarnessResponse {
        var fields = headers
        fields[.contentType] = "application/x-www-form-urlencoded"
        return try await h.request(.post, "/hub/api/oauth2/token", body: form(pairs), headers: fields)
    }

    static func exchange(_ code: String, secret: String = secret, extra: [(String, String)] = []) -> [(String, String)] {
        [("client_id", clientID), ("client_secret", secret), ("grant_type", "authorization_code"), ("code", code),
         ("redirect_uri", redirect)] + extra
    }
}

@Suite("POST /oauth2/token")
struct OAuthTokenTests {
    @Test("a code from authorize becomes a Bearer token with no-cache headers; the token is alice's, scoped to her server")
    func exchange() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let code = try await f.code(h, sessionID: "sess1")
            let r = try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(code))
            #expect(r.status == 200)
            #expect(r.header("Cache-Control") == "no-store" && r.header("Pragma") == "no-cache")
            let m = try #require(r.json?.objectValue)
            #expect(Set(m.keys) == ["access_token", "expires_in", "token_type", "scope"])
            #expect(m["expires_in"] == .int(1_209_600) && m["token_type"] == .string("Bearer"))
            #expect(m["scope"] == .string("access:servers!server=alice/ read:users:groups!user=alice read:users:name!user=alice"))
            let token = try #require(m["access_token"]?.stringValue)
            #expect(token.count == 30)
            let me = try await h.request(.get, "/hub/api/user", token: token)
            #expect(me.json?["name"] == .string("alice"))
            #expect(me.json?["session_id"] == .string("sess1"))
            #expect(me.json?["scopes"] == .array([.string("access:servers!server=alice/"), .string("read:users:groups!user=alice"),
                                                  .string("read:users:name!user=alice")]))
            let stored = try await h.store.tokens(of: .user(f.alice.id)).first { $0.clientID == OAuthFixture.clientID }
            #expect(stored?.hashed.hasPrefix("sha512:1:") == true && stored?.sessionID == "sess1")
            // Codes are single-use.
            let replay = try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(code))
            #expect(replay.status == 400 && replay.json == .object(["error": .string("invalid_grant")]))
        }
    }

    @Test("client errors: wrong or missing secret and unknown client are 401 invalid_client")
    func clientErrors() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let code = try await f.code(h)
            let wrong = try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(code, secret: "not-the-secret"))
            #expect(wrong.status == 401 && wrong.json == .object(["error": .string("invalid_client")]))
            #expect(wrong.header("WWW-Authenticate") == "Bearer error=\"invalid_client\"")
            let unknown = try await OAuthFixture.tokenRequest(h, [("client_id", "nobody"), ("client_secret", "x"),
                                                                   ("grant_type", "authorization_code"), ("code", code)])
            #expect(unknown.status == 401)
            let noSecret = try await OAuthFixture.tokenRequest(h, [("client_id", OAuthFixture.clientID), ("grant_type", "authorization_code"), ("code", code)])
            #expect(noSecret.status == 401)
            // The code survived the failed attempts.
            #expect(try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(code)).status == 200)
        }
    }

    @Test("HTTP Basic client credentials work like form ones")
    func basicAuth() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let code = try await f.code(h)
            var headers = HTTPFields()
            let credentials = Array("\(OAuthFixture.clientID):\(OAuthFixture.secret)".utf8)
            headers[.authorization] = "Basic " + Data(credentials).base64EncodedString()
            let r = try await OAuthFixture.tokenRequest(h, [("grant_type", "authorization_code"), ("code", code),
                                                             ("redirect_uri", OAuthFixture.redirect)], headers: headers)
            #expect(r.status == 200)
        }
    }

    @Test("grant errors: unsupported grant type, missing code, bad or expired code, other client's code, redirect mismatch")
    func grantErrors() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let code = try await f.code(h)
            var pairs = OAuthFixture.exchange(code)
            pairs[2] = ("grant_type", "password")
            let grant = try await OAuthFixture.tokenRequest(h, pairs)
            #expect(grant.status == 400 && grant.json == .object(["error": .string("unsupported_grant_type")]))
            let noCode = try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(code).filter { $0.0 != "code" })
            #expect(noCode.status == 400 && noCode.json?["error"] == .string("invalid_request"))
            // A code differing in its first character (a random code may itself start with "x").
            let bogusCode = (code.first == "x" ? "y" : "x") + String(code.dropFirst())
            let bogus = try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(bogusCode))
            #expect(bogus.json == .object(["error": .string("invalid_grant")]))
            var redirect = OAuthFixture.exchange(code)
            redirect[4] = ("redirect_uri", "/user/mallory/oauth_callback")
            let mismatch = try await OAuthFixture.tokenRequest(h, redirect)
            #expect(mismatch.status == 400 && mismatch.json?["error"] == .string("invalid_request"),
                    "\(mismatch.status) \(String(describing: mismatch.json)) code \(code)")
            // Another registered client cannot redeem alice's code.
            let other = try TokenHash(hashing: "othersecret-othersecret", origin: .operatorSupplied)
            try await h.store.saveOAuthClient(identifier: "service-x", description: nil, secretHash: other.description, redirectURI: "/x")
            let stolen = try await OAuthFixture.tokenRequest(h, [("client_id", "service-x"), ("client_secret", "othersecret-othersecret"),
                                                                  ("grant_type", "authorization_code"), ("code", code)])
            #expect(stolen.json == .object(["error": .string("invalid_grant")]))
            // An expired code is refused.
            let expired = try TokenGenerator.oauthToken()
            _ = try await h.store.createOAuthCode(NewOAuthCode(
                prefix: String(expired.prefix(4)), hashed: try TokenHash(hashing: expired, origin: .generated).description,
                clientID: OAuthFixture.clientID, userID: f.alice.id, redirectURI: OAuthFixture.redirect, scopes: [],
                expiresAt: Timestamp.now().adding(seconds: -1)))
            #expect(try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(expired)).json == .object(["error": .string("invalid_grant")]))
            // Without a redirect_uri the registered one applies.
            #expect(try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(code).filter { $0.0 != "redirect_uri" }).status == 200)
        }
    }

    @Test("PKCE: S256 and plain verified when a challenge was stored; wrong verifier invalid_grant, missing one invalid_request")
    func pkce() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
            #expect(try PKCE.s256Challenge(for: verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")  // RFC 7636 appendix B
            let s256 = try await f.code(h, challenge: try PKCE.s256Challenge(for: verifier), method: "S256")
            let missing = try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(s256))
            #expect(missing.status == 400 && missing.json?["error"] == .string("invalid_request"))
            let wrong = try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(s256, extra: [("code_verifier", verifier + "x")]))
            #expect(wrong.json == .object(["error": .string("invalid_grant")]))
            let s256Again = try await f.code(h, challenge: try PKCE.s256Challenge(for: verifier), method: "S256")
            #expect(try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(s256Again, extra: [("code_verifier", verifier)])).status == 200)
            let plain = try await f.code(h, challenge: verifier, method: nil)
            #expect(try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(plain, extra: [("code_verifier", verifier)])).status == 200)
            // No challenge stored (4.x single-user servers): a verifier is not required.
            #expect(try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(try await f.code(h))).status == 200)
        }
    }
}

@Suite("GET /oauth2/authorize decision")
struct OAuthAuthorizeTests {
    func identity(_ h: HubHarness, _ user: String) async throws -> Identity {
        try #require(try await h.hub.identify(token: try await h.token(for: user)))
    }

    @Test("anonymous browsers are sent to the login page with next = this URL; a logged-in owner gets the code redirect")
    func endpoint() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let target = "/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&redirect_uri=%2Fuser%2Falice%2Foauth_callback&response_type=code&state=s"
            let anonymous = try await h.request(.get, target)
            #expect(anonymous.status == 302)
            #expect(anonymous.header("Location") == "/hub/login?next=%2Fhub%2Fapi%2Foauth2%2Fauthorize%3Fclient_id%3Djupyterhub-user-alice%26redirect_uri%3D%252Fuser%252Falice%252Foauth_callback%26response_type%3Dcode%26state%3Ds")
            let owner = try await h.request(.get, target, token: f.aliceToken)
            #expect(owner.status == 302)
            #expect(owner.header("Location")?.hasPrefix("/user/alice/oauth_callback?code=") == true)
            #expect(owner.header("Location")?.hasSuffix("&state=s") == true)
        }
    }

    @Test("unknown client or a redirect URI other than the registered one is a 400 page, never a redirect")
    func fatalErrors() async throws {
        try await withHub { h in
            _ = try await OAuthFixture(h)
            let alice = try await identity(h, "alice")
            let unknown = await #expect(throws: HubError.self) {
                _ = try await h.hub.decideOAuthAuthorization(OAuthAuthorizeRequest(clientID: "nope"), identity: alice)
            }
            #expect(unknown?.status == .badRequest)
            let redirect = await #expect(throws: HubError.self) {
                _ = try await h.hub.decideOAuthAuthorization(
                    OAuthAuthorizeRequest(clientID: OAuthFixture.clientID, redirectURI: "https://evil.example/cb"), identity: alice)
            }
            #expect(redirect?.status == .badRequest && redirect?.message == "Mismatching redirect URI.")
        }
    }

    @Test("client-correctable errors go back to the registered redirect URI as ?error=")
    func redirectedErrors() async throws {
        try await withHub { h in
            _ = try await OAuthFixture(h)
            let alice = try await identity(h, "alice")
            for (request, error) in [
                (OAuthAuthorizeRequest(clientID: OAuthFixture.clientID, responseType: "token", state: "s"), "unsupported_response_type"),
                (OAuthAuthorizeRequest(clientID: OAuthFixture.clientID, codeChallenge: "abc", codeChallengeMethod: "S512"), "invalid_request"),
                (OAuthAuthorizeRequest(clientID: OAuthFixture.clientID, scope: "no:such"), "invalid_scope"),
                (OAuthAuthorizeRequest(clientID: OAuthFixture.clientID, scope: "admin:users"), "invalid_scope"),
            ] {
                let decision = try await h.hub.decideOAuthAuthorization(request, identity: alice)
                guard case .redirect(let location) = decision else { Issue.record("\(decision)"); continue }
                #expect(location.hasPrefix(OAuthFixture.redirect + "?error=" + error), "\(location)")
            }
        }
    }

    @Test("access: other users get 403; a user the server is shared with may authorize after consent")
    func access() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let bob = try await identity(h, "bob")
            let denied = await #expect(throws: HubError.self) {
                _ = try await h.hub.decideOAuthAuthorization(OAuthAuthorizeRequest(clientID: OAuthFixture.clientID), identity: bob)
            }
            #expect(denied?.status == .forbidden && denied?.message == "You do not have permission to access Server at /user/alice/")
            let bobUser = try #require(try await h.store.user(named: "bob"))
            let server = try #require(try await h.store.server(userID: f.alice.id, name: ""))
            try await h.store.grantShare(serverID: server.id, grantee: .user(bobUser.id), scopes: ["access:servers!server=alice/"])
            h.hub.identitiesChanged()
            let shared = try await identity(h, "bob")
            let decision = try await h.hub.decideOAuthAuthorization(OAuthAuthorizeRequest(clientID: OAuthFixture.clientID, state: "z"), identity: shared)
            guard case .confirm(let grant) = decision else { Issue.record("expected consent, got \(decision)"); return }
            #expect(grant.scopes == ["access:servers!server=alice/", "read:users:groups!user=bob", "read:users:name!user=bob"])
            let location = try await h.hub.issueAuthorizationCode(grant, user: bobUser, sessionID: nil)
            #expect(location.hasPrefix("/user/alice/oauth_callback?code=") && location.hasSuffix("&state=z"))
            // Once granted, the same scopes need no second confirmation.
            let code = String(location.dropFirst("/user/alice/oauth_callback?code=".count).prefix(30))
            #expect(try await OAuthFixture.tokenRequest(h, OAuthFixture.exchange(code)).status == 200)
            let again = try await h.hub.decideOAuthAuthorization(OAuthAuthorizeRequest(clientID: OAuthFixture.clientID), identity: shared)
            guard case .redirect = again else { Issue.record("expected no consent the second time, got \(again)"); return }
        }
    }
}

@Suite("Deprecated /authorizations endpoints")
struct OAuthAuthorizationsTests {
    @Test("POST /authorizations/token is always 404 with the removal notice")
    func postToken() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            for token in [nil, f.aliceToken] {
                let r = try await h.request(.post, "/hub/api/authorizations/token", token: token, json: .object([:]))
                #expect(r.status == 404)
                #expect(r.json?["message"]?.stringValue?.contains("removed in JupyterHub 2.0") == true)
            }
        }
    }

    @Test("GET /authorizations/token/{token}: token callers see the owner's identity; unknown 404; no token 403")
    func identifyToken() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let bobToken = try await h.token(for: "bob")
            let r = try await h.request(.get, "/hub/api/authorizations/token/\(f.aliceToken)", token: bobToken)
            #expect(r.status == 200)
            #expect(r.json?["name"] == .string("alice") && r.json?["groups"] == .array([]))
            #expect(r.json?["servers"] == nil)  // bob may not read alice's servers
            #expect(try await h.request(.get, "/hub/api/authorizations/token/0000000000", token: bobToken).status == 404)
            #expect(try await h.request(.get, "/hub/api/authorizations/token/\(f.aliceToken)").status == 403)
        }
    }

    @Test("tokens and cookie values in these paths never reach the access log")
    func scrubbed() {
        #expect(AccessLog.scrub("/hub/api/authorizations/token/0123abcd?token=x") == "/hub/api/authorizations/token/[secret]?token=[secret]")
        #expect(AccessLog.scrub("/hub/api/authorizations/cookie/jupyterhub-hub-login/2|1:0|10:17") == "/hub/api/authorizations/cookie/jupyterhub-hub-login/[secret]")
        #expect(AccessLog.scrub("/hub/api/authorizations/token") == "/hub/api/authorizations/token")
    }

    @Test("GET /authorizations/cookie/{name}/{value}: a valid signed login cookie gives the user; tampered 404")
    func identifyCookie() async throws {
        try await withHub { h in
            let f = try await OAuthFixture(h)
            let secret = try #require(h.hub.cookieSecret)
            let cookie = try SignedValue.create(name: "jupyterhub-hub-login", value: Array(f.alice.cookieID.utf8), secret: secret)
            let root = try await h.token(for: "root")
            let r = try await h.request(.get, "/hub/api/authorizations/cookie/jupyterhub-hub-login/\(PercentEncoding.encode(cookie))", token: root)
            #expect(r.status == 200 && r.json?["name"] == .string("alice") && r.json?["admin"] == .bool(false))
            let wrongName = try await h.request(.get, "/hub/api/authorizations/cookie/other/\(PercentEncoding.encode(cookie))", token: root)
            #expect(wrongName.status == 404)
            let tampered = try await h.request(.get, "/hub/api/authorizations/cookie/jupyterhub-hub-login/\(PercentEncoding.encode(cookie + "0"))", token: root)
            #expect(tampered.status == 404)
            #expect(try await h.request(.get, "/hub/api/authorizations/cookie/jupyterhub-hub-login/x").status == 403)
        }
    }
}
