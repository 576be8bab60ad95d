import GRDB

extension Store {
    /// The user whose login-cookie id is `cookieID`, if any (changing the id logs every browser out).
    public func user(withCookieID cookieID: String) async throws -> User? {
        try await read { db in
            try User.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE cookie_id = ?"), arguments: [cookieID])
        }
    }
}
