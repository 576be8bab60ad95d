// Auth's access decisions ask "which groups is user X in?" synchronously. The hub answers from a
// table fetched up front, and only when some grant actually names a group — most requests never
// touch the database for this.
import Auth
import Store

/// A group table for the users a decision can involve.
struct PrefetchedMembership: GroupMembership, Sendable {
    let groupsByUser: [String: Set<String>]
    static let empty = PrefetchedMembership(groupsByUser: [:])
    func groupNames(ofUser user: String) throws -> Set<String> { groupsByUser[user] ?? [] }
}

enum GroupLookup {
    /// Whether any grant in `sets` is limited to groups (then membership matters).
    static func involvesGroups(_ sets: [ExpandedScopes], names: [ScopeName]? = nil) -> Bool {
        func limitedToGroups(_ grant: ScopeGrant?) -> Bool {
            if case .only(let targets)? = grant { return !targets.groups.isEmpty }
            return false
        }
        for set in sets {
            // Look the few named scopes up rather than walk every grant (an admin holds dozens).
            if let names {
                if names.contains(where: { limitedToGroups(set.grant(for: $0)) }) { return true }
            } else if set.grants.values.contains(where: limitedToGroups) {
                return true
            }
        }
        return false
    }

    /// Users named anywhere in `sets` (directly or as server owners).
    static func usersNamed(in sets: [ExpandedScopes]) -> Set<String> {
        var names: Set<String> = []
        for set in sets {
            for case .only(let targets) in set.grants.values {
                names.formUnion(targets.users)
                names.formUnion(targets.servers.map(\.user))
            }
        }
        return names
    }

    /// Group memberships of `users`, reusing `known` (user name → groups) where available.
    static func membership(of users: Set<String>, known: [String: Set<String>], store: Store) async throws -> PrefetchedMembership {
        var table = known.filter { users.contains($0.key) }
        let missing = users.subtracting(table.keys)
        if !missing.isEmpty {
            let rows = try await store.users(named: Array(missing))
            let groups = try await store.groupNames(ofUsers: rows.map(\.id))
            for row in rows { table[row.name] = Set(groups[row.id] ?? []) }
        }
        return PrefetchedMembership(groupsByUser: table)
    }
}
