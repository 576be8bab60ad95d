// Who is making a request and what they may do: resolved once per request (or taken from the
// identity cache) and then consulted by every scope check of that request.
import Auth
import Store
import Synchronization

/// Renderings that depend only on an identity, kept with it: a cached identity is dropped on any
/// write that could change it, so these can never outlive what they describe.
public final class IdentityMemo: Sendable {
    private let bodies = Mutex<[String: [UInt8]]>([:])
    public init() {}

    /// The body stored under `key`, or `render()`'s result, stored for next time.
    public func body(_ key: String, render: () throws -> [UInt8]) rethrows -> [UInt8] {
        if let hit = bodies.withLock({ $0[key] }) { return hit }
        let rendered = try render()
        bodies.withLock { $0[key] = rendered }
        return rendered
    }

    /// `body(_:render:)` for a rendering that may need to read the database first.
    public func body(_ key: String, render: () async throws -> [UInt8]) async rethrows -> [UInt8] {
        if let hit = bodies.withLock({ $0[key] }) { return hit }
        let rendered = try await render()
        bodies.withLock { $0[key] = rendered }
        return rendered
    }
}

/// A user together with what its model needs besides its row: groups, roles and servers (the Store's view).
public typealias UserSnapshot = UserView

/// The authenticated caller of a request. A class (immutable): it travels through the identity cache, the
/// pipeline and every APIRequest, and copying its many fields each time showed up on the whoami path.
public final class Identity: Sendable {
    /// The user or service a credential belongs to.
    public enum Owner: Sendable {
        case user(UserSnapshot)
        case service(Service)
    }

    /// How the caller authenticated.
    public enum Credential: Sendable {
        /// An API or OAuth token (`Authorization` header).
        case token(APIToken)
        /// The hub login cookie (set up by the pages helper); carries the browser session id.
        case cookie(sessionID: String?)
    }

    public let owner: Owner
    public let credential: Credential
    /// The caller's effective scopes for this request (token scopes capped by the owner's).
    public let scopes: ExpandedScopes
    /// `scopes` as sorted strings (what `GET /user` reports), computed once per resolution, not per request.
    public let scopeStrings: [String]
    /// `scopeStrings` already encoded as a JSON array (the whoami endpoint is the hottest path).
    public let scopeStringsJSON: [UInt8]
    /// A service owner's role names, read with its scopes when the token was resolved, so the whoami of a
    /// cached service identity needs no database read (nil = not known; read them when needed).
    public let serviceRoleNames: [String]?

    /// Responses derived only from this identity, rendered once per resolution (see `IdentityMemo`).
    public let memo = IdentityMemo()

    public init(owner: Owner, credential: Credential, scopes: ExpandedScopes, serviceRoleNames: [String]? = nil) {
        self.owner = owner; self.credential = credential; self.scopes = scopes
        self.serviceRoleNames = serviceRoleNames
        self.scopeStrings = scopes.sortedStrings
        var writer = JSONWriter()
        writer.strings(scopeStrings)
        self.scopeStringsJSON = writer.bytes
    }

    /// The owner's name (user or service name).
    public var name: String {
        switch owner {
        case .user(let snapshot): return snapshot.user.name
        case .service(let service): return service.name
        }
    }

    /// The owner as a scope holder.
    public var holder: ScopeHolder {
        switch owner {
        case .user(let snapshot): return .user(snapshot.user.name)
        case .service(let service): return .service(service.name)
        }
    }

    /// The user, if the caller is one.
    public var user: UserSnapshot? { if case .user(let u) = owner { return u } else { return nil } }
    /// The service, if the caller is one.
    public var service: Service? { if case .service(let s) = owner { return s } else { return nil } }

    /// The token used, if the caller authenticated with one.
    public var token: APIToken? { if case .token(let t) = credential { return t } else { return nil } }

    /// The browser session this request belongs to (token's or cookie's).
    public var sessionID: String? {
        switch credential {
        case .token(let t): return t.sessionID
        case .cookie(let id): return id
        }
    }
}
