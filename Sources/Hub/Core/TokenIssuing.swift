// Issuing new API tokens: one place that generates, hashes and stores them, so the REST tokens
// endpoint, `pawshub token` and spawners all produce JupyterHub-format rows.
import Auth
import Store

extension Hub {
    /// Creates a hub-generated token (32 hex, 1 hash round) for `owner`; the clear token is returned
    /// once and never stored. Scopes are stored as given (callers check them first).
    public func issueToken(owner: TokenOwner, scopes: [String] = [ScopeName.inherit.rawValue], note: String? = nil,
                           expiresIn seconds: Int64? = nil, clientID: String = OAuthClientIDs.hub,
                           sessionID: String? = nil) async throws -> (token: String, record: APIToken) {
        let token = try TokenGenerator.hexToken()
        let hash = try TokenHash(hashing: token, origin: .generated)
        let record = try await store.createToken(NewAPIToken(
            prefix: TokenRules.prefix(of: token), hashed: hash.description, owner: owner, clientID: clientID,
            scopes: scopes, note: note, expiresAt: seconds.map { Timestamp.now().adding(seconds: $0) }, sessionID: sessionID))
        identitiesChanged()
        return (token, record)
    }

    /// Creates users that do not exist yet with the `user` role (and `admin` when `admin`), as
    /// JupyterHub assigns default roles at creation; returns those created.
    public func createUsers(_ names: [String], admin: Bool = false) async throws -> [User] {
        let roles = admin ? [RoleName.user.rawValue, RoleName.admin.rawValue] : [RoleName.user.rawValue]
        let created = try await store.createUsers(names.map { NewUser(name: $0, admin: admin, roles: roles) })
        identitiesChanged()
        return created
    }
}
