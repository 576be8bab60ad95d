// `GET /users` query parameters (contract §5): `state`, `name_filter`, `sort`, `include_stopped_servers`,
// validated with JupyterHub's messages, turned into the Store's typed query.
import Store

/// What a user listing asks for, apart from pagination.
struct UserListQuery: Sendable, Equatable {
    var state: ServerStateFilter?
    var nameFilter: String?
    var sort: UserSort
    var includeStoppedServers: Bool

    /// Parses the query; bad `state` or `sort` → 400 with JupyterHub's messages.
    init(_ query: QueryParameters) throws(HubError) {
        if let text = query["state"], !text.isEmpty {
            guard let state = ServerStateFilter(rawValue: text) else {
                throw HubError.badRequest("Unrecognized state filter: \(Self.pythonRepr(text))")
            }
            self.state = state
        } else {
            state = nil
        }
        let filter = query["name_filter"] ?? ""
        nameFilter = filter.isEmpty ? nil : filter
        sort = try Self.sort(query["sort"] ?? "id")
        includeStoppedServers = query.flag("include_stopped_servers")
    }

    /// `id`, `name`, `last_activity`, each optionally prefixed by `-` for descending order.
    static func sort(_ text: String) throws(HubError) -> UserSort {
        let descending = text.hasPrefix("-")
        let key: UserSortKey
        switch descending ? String(text.dropFirst()) : text {
        case "id": key = .id
        case "name": key = .name
        case "last_activity": key = .lastActivity
        default: throw HubError.badRequest("sort must be 'id', 'name', or 'last_activity', not '\(text)'")
        }
        if descending { return .descending(key) }
        switch key {
        case .id: return .id
        case .name: return .name
        case .lastActivity: return .lastActivity
        }
    }

    /// The Store query, limited to `subset` when the caller's `list:users` is filtered.
    func storeQuery(subset: UserSubset?) -> UserQuery {
        UserQuery(name: nameFilter.map { .contains($0) }, state: state, sort: sort, subset: subset)
    }

    /// Python's `repr` of a string, as JupyterHub's `{value!r}` messages show it.
    static func pythonRepr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case quote: out += "\\" + String(quote)
            default: out.append(c)
            }
        }
        out.append(quote)
        return out
    }
}
