// The REST models (user, server, token, service) with JupyterHub's field visibility: each key is
// shown only if the caller holds one of the scopes that reveal it for that resource (contract §6).
import Auth
import HTTP
import Store

/// Writes REST models as the caller may see them.
public struct ModelEncoder: Sendable {
    /// The caller's effective scopes.
    public let scopes: ExpandedScopes
    /// Include stopped servers in `servers` (`?include_stopped_servers`).
    public let includeStoppedServers: Bool
    let urls: HubURLs
    /// User fields revealed by unfiltered grants: the same for every user, so decided once per encoder.
    private let unconditionalFields: UserFields
    /// The user-field grants limited to some users or groups: only these are checked per user.
    private let filteredAccess: [(ScopeName, UserFields)]
    /// `read:servers` / `admin:server_state` held unfiltered (no per-server check needed).
    private let readsAllServers: Bool
    private let seesAllServerState: Bool

    init(scopes: ExpandedScopes, hub: Hub, includeStoppedServers: Bool) {
        self.scopes = scopes
        self.includeStoppedServers = includeStoppedServers
        self.urls = HubURLs(baseURL: hub.baseURL)
        var unconditional: UserFields = []
        var filtered: [(ScopeName, UserFields)] = []
        for (scope, keys) in Self.userAccess {
            switch scopes.grant(for: scope) {
            case .all?: unconditional.formUnion(keys)
            case .only?: filtered.append((scope, keys))
            case nil: break
            }
        }
        unconditionalFields = unconditional
        filteredAccess = filtered.filter { !unconditional.isSuperset(of: $0.1) }
        readsAllServers = scopes.grant(for: .readServers) == .all
        seesAllServerState = scopes.grant(for: .adminServerState) == .all
    }

    /// User model fields and the scopes that reveal them.
    private static let userAccess: [(ScopeName, UserFields)] = [
        (.readUsers, [.kind, .name, .userInfo, .admin, .roles, .groups, .server, .pending, .created, .lastActivity]),
        (.readUsersName, [.kind, .name, .userInfo, .admin]),
        (.readUsersGroups, [.kind, .name, .groups]),
        (.readUsersActivity, [.kind, .name, .lastActivity]),
        (.readServers, [.kind, .name, .servers]),
        (.readRolesUsers, [.kind, .name, .roles, .admin]),
        (.adminAuthState, [.kind, .name, .authState]),
    ]

    /// A bit set, not a `Set`: it is computed for every user of every listing (hashing dominated listings).
    struct UserFields: OptionSet {
        let rawValue: UInt16
        static let kind = Self(rawValue: 1 << 0), name = Self(rawValue: 1 << 1), userInfo = Self(rawValue: 1 << 2)
        static let admin = Self(rawValue: 1 << 3), roles = Self(rawValue: 1 << 4), groups = Self(rawValue: 1 << 5)
        static let server = Self(rawValue: 1 << 6), pending = Self(rawValue: 1 << 7), created = Self(rawValue: 1 << 8)
        static let lastActivity = Self(rawValue: 1 << 9), servers = Self(rawValue: 1 << 10), authState = Self(rawValue: 1 << 11)
    }

    /// Whether the caller may see anything of `user` (a list omits users that give an empty model).
    public func canSeeUser(_ user: UserSnapshot) -> Bool {
        !unconditionalFields.isEmpty || !userFields(user, membership(of: user)).isEmpty
    }

    /// The user's own groups: all a decision about this user or its servers can need.
    private func membership(of snapshot: UserSnapshot) -> PrefetchedMembership {
        snapshot.groups.isEmpty ? .empty : PrefetchedMembership(groupsByUser: [snapshot.user.name: Set(snapshot.groups)])
    }

    private func userFields(_ snapshot: UserSnapshot, _ membership: @autoclosure () -> PrefetchedMembership) -> UserFields {
        var fields = unconditionalFields
        guard !filteredAccess.isEmpty else { return fields }
        let membership = membership()
        for (scope, keys) in filteredAccess where (try? scopes.has(scope, on: .user(snapshot.user.name), membership: membership)) == true {
            fields.formUnion(keys)
        }
        return fields
    }

    /// Writes the user model; `authState` is the decrypted state for single-user GET/PATCH (null otherwise).
    /// `extra` appends members (e.g. `/user`'s `token_id`, `scopes`) inside the object.
    public func writeUser(_ snapshot: UserSnapshot, to w: inout JSONWriter, authState: JSONValue? = nil,
                          extra: (inout JSONWriter) -> Void = { _ in }) {
        let fields = userFields(snapshot, membership(of: snapshot))
        let user = snapshot.user
        let escapedName = HubURLs.escape(user.name)
        let defaultServer = snapshot.servers.first { $0.name == "" }
        w.beginObject()
        if fields.contains(.kind) { w.key("kind"); w.string("user") }
        if fields.contains(.name) { w.key("name"); w.string(user.name) }
        if fields.contains(.admin) { w.key("admin"); w.bool(user.admin) }
        if fields.contains(.roles) { w.key("roles"); w.strings(snapshot.roles) }
        if fields.contains(.groups) { w.key("groups"); w.strings(snapshot.groups) }
        if fields.contains(.server) {
            w.key("server"); w.string(defaultServer.map { $0.ready ? urls.userURL(escapedUser: escapedName) : nil } ?? nil)
        }
        if fields.contains(.pending) { w.key("pending"); w.string(defaultServer?.pending?.rawValue) }
        if fields.contains(.created) { w.key("created"); w.timestamp(user.created) }
        if fields.contains(.lastActivity) { w.key("last_activity"); w.timestamp(user.lastActivity) }
        if fields.contains(.authState) {
            w.key("auth_state")
            if let authState { w.value(authState) } else { w.null() }
        }
        if !fields.isEmpty {
            let visible = snapshot.servers.filter { server in
                guard server.isActive || includeStoppedServers else { return false }
                if readsAllServers { return true }
                let ref = ServerRef(user: user.name, name: server.name)
                return (try? scopes.has(.readServers, on: .server(ref), membership: membership(of: snapshot))) == true
            }
            // Present (possibly empty) with read:servers on the user; otherwise only if some server is visible.
            if fields.contains(.servers) || !visible.isEmpty {
                w.key("servers")
                w.beginObject()
                for server in visible {
                    w.key(server.name)
                    writeServer(server, owner: user.name, escapedOwner: escapedName, to: &w)
                }
                w.endObject()
            }
        }
        if fields.contains(.userInfo) { w.key("user_info"); w.beginObject(); w.endObject() }
        extra(&w)
        w.endObject()
    }

    /// Writes the server model (the caller's right to read the server is checked by the caller).
    public func writeServer(_ server: Server, owner: String, to w: inout JSONWriter) {
        writeServer(server, owner: owner, escapedOwner: HubURLs.escape(owner), to: &w)
    }

    func writeServer(_ server: Server, owner: String, escapedOwner: String, to w: inout JSONWriter) {
        let url = urls.serverURL(escapedUser: escapedOwner, server: server.name)
        w.beginObject()
        w.key("name"); w.string(server.name)
        w.key("display_name"); w.string(server.displayName)
        w.key("full_name"); w.string(owner + "/" + server.name)
        w.key("last_activity"); w.timestamp(server.lastActivity)
        w.key("started"); w.timestamp(server.started)
        w.key("pending"); w.string(server.pending?.rawValue)
        w.key("ready"); w.bool(server.ready)
        w.key("stopped"); w.bool(!server.isActive)
        w.key("url"); w.string(url)
        w.key("user_options"); w.rawJSON(server.userOptions.description)
        w.key("progress_url"); w.string(urls.progressURL(escapedUser: escapedOwner, server: server.name))
        // No `public_url` is configured in PawsHub, so the absolute forms are null as in JupyterHub.
        w.key("full_url"); w.null()
        w.key("full_progress_url"); w.null()
        if seesAllServerState
            || (try? scopes.has(.adminServerState, on: .server(ServerRef(user: owner, name: server.name)),
                                membership: PrefetchedMembership.empty)) == true {
            w.key("state"); w.rawJSON(server.state.description)
        }
        w.endObject()
    }

    /// Writes the token model. `scopes` are the token's scopes as reported (sorted by the caller),
    /// `oauthClient` the client's description or identifier (`JupyterHub` for hub tokens).
    public func writeToken(_ token: APIToken, ownerName: String, scopes tokenScopes: [String], oauthClient: String,
                           to w: inout JSONWriter, extra: (inout JSONWriter) -> Void = { _ in }) {
        w.beginObject()
        w.key(token.userID != nil ? "user" : "service"); w.string(ownerName)
        w.key("id"); w.string("a\(token.id.rawValue)")
        w.key("kind"); w.string("api_token")
        w.key("roles"); w.beginArray(); w.endArray()
        w.key("scopes"); w.strings(tokenScopes)
        w.key("created"); w.timestamp(token.created)
        w.key("last_activity"); w.timestamp(token.lastActivity)
        w.key("expires_at"); w.timestamp(token.expiresAt)
        w.key("note"); w.string(token.note)
        w.key("session_id"); w.string(token.sessionID)
        w.key("oauth_client"); w.string(oauthClient)
        extra(&w)
        w.endObject()
    }
}
