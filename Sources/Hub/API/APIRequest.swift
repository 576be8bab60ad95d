// What an endpoint receives: the request, its decoded path and query, the caller and the hub,
// plus the body readers and the one authorization mechanism every endpoint goes through.
import Auth
import HTTP
import HTTPTypes

/// One REST API request.
public struct APIRequest: Sendable {
    /// Default cap for JSON bodies; REST bodies are small, so 1 MiB only stops abuse.
    public static let defaultBodyLimit = 1 << 20

    public let head: RequestHead
    /// Values of `{name}` segments, percent-decoded.
    public let path: PathParameters
    public let query: QueryParameters
    /// The authenticated caller, nil for anonymous requests.
    public let identity: Identity?
    public let hub: Hub
    /// Client address (from `X-Forwarded-For` behind the proxy).
    public let remoteIP: String
    /// Whether the original request was https (listener TLS or `X-Forwarded-Proto`).
    public let isSecure: Bool
    let body: RequestBody

    init(head: RequestHead, path: PathParameters, identity: Identity?, hub: Hub, remoteIP: String,
         isSecure: Bool, body: RequestBody) {
        self.head = head
        self.path = path
        self.query = QueryParameters(head.query)
        self.identity = identity
        self.hub = hub
        self.remoteIP = remoteIP
        self.isSecure = isSecure
        self.body = body
    }

    /// The request method.
    public var method: HTTPRequest.Method { head.method }

    /// A header value (first occurrence).
    public func header(_ name: HTTPField.Name) -> String? { head.value(name) }

    // MARK: - Body

    /// The raw body; 413 past `limit` bytes. Read the body once.
    public func bodyBytes(limit: Int = APIRequest.defaultBodyLimit) async throws -> [UInt8] {
        try await body.collect(upTo: limit)
    }

    /// The body parsed as JSON; `.null` for an empty body (JupyterHub's `get_json_body` gives None).
    public func json(limit: Int = APIRequest.defaultBodyLimit) async throws -> JSONValue {
        let bytes = try await bodyBytes(limit: limit)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .null }
        return try JSONValue.parse(bytes)
    }

    /// The body as a JSON object with only `allowed` members; an empty body is an empty object when
    /// `emptyIsEmptyObject` (for endpoints whose body is optional), else 400.
    public func jsonObject(allowed: Set<String>, emptyIsEmptyObject: Bool = true,
                           limit: Int = APIRequest.defaultBodyLimit) async throws -> JSONObjectFields {
        var value = try await json(limit: limit)
        if value == .null {
            guard emptyIsEmptyObject else { throw HubError.badRequest("Request body must be a JSON object") }
            value = .object([:])
        }
        return try JSONObjectFields(value, allowed: allowed)
    }

    // MARK: - Authorization (the only way endpoints check access)

    /// The caller, or 403 "Missing or invalid credentials." when anonymous.
    public func requireIdentity() throws(HubError) -> Identity {
        guard let identity else { throw HubError.missingCredentials }
        return identity
    }

    /// Requires `scope` on `target`: 403 when anonymous or not held, 404 when held only for other resources.
    public func authorize(_ scope: ScopeName, on target: AccessTarget = .none) async throws {
        try await authorize(anyOf: [scope], on: target)
    }

    /// Requires any one of `scopes` on `target` (same answers as `authorize(_:on:)`).
    public func authorize(anyOf scopes: [ScopeName], on target: AccessTarget = .none) async throws {
        let identity = try requireIdentity()
        let membership = try await membership(for: target, names: scopes)
        switch try identity.scopes.authorize(anyOf: scopes, on: target, membership: membership) {
        case .allowed: return
        case .notFound: throw HubError.notFound()
        case .forbidden(let message): throw HubError.forbidden(message)
        }
    }

    /// Whether the caller holds `scope` on `target` (no error; for optional extras such as model fields).
    public func holds(_ scope: ScopeName, on target: AccessTarget = .none) async throws -> Bool {
        guard let identity else { return false }
        let membership = try await membership(for: target, names: [scope])
        return try identity.scopes.has(scope, on: target, membership: membership)
    }

    /// For list endpoints: which rows `scope` lets the caller see (403 when anonymous or not held).
    public func listAccess(_ scope: ScopeName, filterableBy kinds: Set<ScopeFilterKind>,
                           otherFilters: UnsupportedListFilter = .forbid) throws(HubError) -> ListAccess {
        let identity = try requireIdentity()
        let access = identity.scopes.listAccess(scope, allowedFilters: kinds, otherFilters: otherFilters)
        if case .forbidden(let message) = access { throw HubError.forbidden(message) }
        return access
    }

    /// The model encoder for this caller (field visibility follows its scopes).
    public func models() -> ModelEncoder {
        ModelEncoder(scopes: identity?.scopes ?? ExpandedScopes(), hub: hub,
                     includeStoppedServers: query.flag("include_stopped_servers"))
    }

    private func membership(for target: AccessTarget, names: [ScopeName]) async throws -> PrefetchedMembership {
        guard let identity, GroupLookup.involvesGroups([identity.scopes], names: names) else { return .empty }
        let user: String
        switch target {
        case .user(let name): user = name
        case .server(let ref): user = ref.user
        default: return .empty
        }
        var known: [String: Set<String>] = [:]
        if let me = identity.user { known[me.user.name] = Set(me.groups) }
        return try await GroupLookup.membership(of: [user], known: known, store: hub.store)
    }
}
