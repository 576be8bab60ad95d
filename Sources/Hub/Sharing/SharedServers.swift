// Finding the server a sharing URL names (`{owner}/{server_name}`, `""` = default server) and the
// `!server=` filter every share scope carries. Used by the shares, share-code and shared endpoints.
import Auth
import Store

/// A server that sharing endpoints act on, with its owner.
struct SharedServer: Sendable {
    let owner: User
    let server: Server

    /// `owner/name` as scope filters and messages spell it.
    var ref: ServerRef { ServerRef(user: owner.name, name: server.name) }
}

extension Hub {
    /// The server `owner/name`; 404 "No such server: owner/name" when the owner or the server does not
    /// exist. A user's default server always exists in JupyterHub (its row is made with the user), so
    /// when `createDefault` its row is created on first use here.
    func sharedServer(owner: String, name: String, createDefault: Bool = false) async throws -> SharedServer {
        let missing = HubError.notFound("No such server: \(owner)/\(name)")
        guard let user = try await store.user(named: owner) else { throw missing }
        if let server = try await store.server(userID: user.id, name: name) {
            return SharedServer(owner: user, server: server)
        }
        guard name.isEmpty, createDefault else { throw missing }
        do {
            return SharedServer(owner: user, server: try await store.createServer(NewServer(userID: user.id)))
        } catch StoreError.alreadyExists {
            // Created concurrently (a spawn, another share): use that row.
            guard let server = try await store.server(userID: user.id, name: name) else { throw missing }
            return SharedServer(owner: user, server: server)
        }
    }
}

extension Hub {
    /// The server a list of its shares or share codes names, or nil for an owner's default server that has
    /// no row yet (nothing shared: an empty list, not 404); a missing owner or named server is 404.
    func listedSharedServer(owner: String, name: String) async throws -> SharedServer? {
        do {
            return try await sharedServer(owner: owner, name: name)
        } catch let error as HubError where name.isEmpty && error.status == .notFound {
            guard try await store.user(named: owner) != nil else { throw error }
            return nil
        }
    }
}

/// Scope lists granted by shares and share codes.
enum ShareScopes {
    /// What a share grants when no scopes are given: access to the server.
    static func defaults(for ref: ServerRef) -> [String] {
        ["\(ScopeName.accessServers.rawValue)!server=\(ref)"]
    }

    /// Validates `scopes` (nil or empty = the default) and pins each to `!server=owner/name`, sorted and
    /// unique. 400 for an unknown scope or any other filter, as JupyterHub refuses those.
    static func pinned(_ scopes: [String]?, to ref: ServerRef, hierarchy: ScopeHierarchy) throws(HubError) -> [String] {
        let requested = (scopes?.isEmpty ?? true) ? defaults(for: ref) : scopes ?? []
        let serverFilter = "server=\(ref)"
        var out: Set<String> = []
        for text in requested {
            let base: Substring
            var filter: Substring? = nil
            if let bang = text.firstIndex(of: "!") {
                base = text[..<bang]
                filter = text[text.index(after: bang)...]
            } else {
                base = Substring(text)
            }
            guard hierarchy.contains(ScopeName(rawValue: String(base))) else {
                throw HubError.badRequest("Scope '\(text)' does not exist")
            }
            if let filter, filter != serverFilter {
                throw HubError.badRequest("!\(filter) not allowed on sharing \(text), only !\(serverFilter)")
            }
            out.insert("\(base)!\(serverFilter)")
        }
        return out.sorted()
    }

    /// Scopes named in a revocation, completed with this server's filter when given bare (a filtered
    /// scope is compared as written, so a foreign filter simply matches nothing).
    static func toRevoke(_ scopes: [String], on ref: ServerRef) -> [String] {
        scopes.map { $0.contains("!") ? $0 : "\($0)!server=\(ref)" }
    }

    /// 403 unless the caller holds every scope it is about to grant on `ref` (no escalation through shares).
    static func requireHeld(_ scopes: [String], on ref: ServerRef, by request: APIRequest) async throws {
        for text in scopes {
            let base = text.split(separator: "!", maxSplits: 1).first.map(String.init) ?? text
            guard try await request.holds(ScopeName(rawValue: base), on: .server(ref)) else {
                throw HubError.forbidden("Do not have permission to grant share with scope \(text)")
            }
        }
    }
}
