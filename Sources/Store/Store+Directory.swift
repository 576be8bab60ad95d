// Reads served from the user directory (memory) instead of SQLite: user lookups, a page of user models,
// the activity endpoint's targets. Queries the directory cannot answer exactly (name filters, group
// subsets, sorts other than id) still select their page in SQL and take the models from memory.
import GRDB

extension Store {
    /// The user named `name` with its roles, groups and servers, if any.
    public func userView(named name: String) async throws -> UserView? {
        try await directory.lookup(writer) { $0.view(named: name) }
    }

    /// The user with this id with its roles, groups and servers, if any.
    public func userView(id: UserID) async throws -> UserView? {
        try await directory.lookup(writer) { $0.view(id: id) }
    }

    /// Views of these users in the given order; ids with no user are skipped.
    public func userViews(ids: [UserID]) async throws -> [UserView] {
        try await directory.read(writer) { state in ids.compactMap { state.view(id: $0) } }
    }

    /// One page of user views matching `query`, plus the total that match (same rows and order as `users(matching:page:)`).
    public func userViews(matching query: UserQuery, page: PageRequest) async throws -> Page<UserView> {
        guard query.name == nil, query.subset == nil, query.sort == .id || query.sort == .descending(.id) else {
            let rows = try await users(matching: query, page: page)
            return Page(items: try await userViews(ids: rows.items.map(\.id)), total: rows.total, offset: rows.offset)
        }
        return try await directory.read(writer) { state in
            let entries = state.entries
            let keep: (UserView) -> Bool = switch query.state {
            case nil: { _ in true }
            case .active?: { $0.isActive }
            case .inactive?: { !$0.isActive }
            case .ready?: { $0.isReady }
            }
            let offset = page.sqlOffset
            let limit = page.limit.map { max(0, $0) } ?? Int.max
            let descending = query.sort != .id
            var items: [UserView] = []
            var total = 0
            if query.state == nil {
                total = entries.count
                let end = offset + min(limit, max(0, total - offset))
                if offset < end {
                    items.reserveCapacity(end - offset)
                    for i in offset..<end { items.append(state.view(entries[descending ? total - 1 - i : i])) }
                }
                return Page(items: items, total: total, offset: offset)
            }
            for i in entries.indices {
                let view = state.view(entries[descending ? entries.count - 1 - i : i])
                guard keep(view) else { continue }
                if total >= offset, items.count < limit { items.append(view) }
                total += 1
            }
            return Page(items: items, total: total, offset: offset)
        }
    }
}
