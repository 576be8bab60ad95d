// Group membership is data the Store owns; Auth only needs to ask "which groups is this user in?"
// when a `!group=` grant meets a `!user=`/`!server=` question. This protocol is that one question.

/// Answers which groups a user belongs to (a DB lookup in the hub, a dictionary in tests).
public protocol GroupMembership {
    /// Names of the groups `user` is a member of; empty for an unknown user.
    func groupNames(ofUser user: String) throws -> Set<String>
}

/// Membership from a fixed table: tests, or a hub that already loaded the rows it needs.
public struct StaticGroupMembership: GroupMembership, Sendable {
    private let groupsByUser: [String: Set<String>]

    /// `groupsByUser` maps a user name to its group names.
    public init(_ groupsByUser: [String: Set<String>] = [:]) { self.groupsByUser = groupsByUser }

    /// Builds the table from group → members, the shape groups are usually stored in.
    public init(membersByGroup: [String: Set<String>]) {
        var table: [String: Set<String>] = [:]
        for (group, members) in membersByGroup {
            for user in members { table[user, default: []].insert(group) }
        }
        self.groupsByUser = table
    }

    public func groupNames(ofUser user: String) throws -> Set<String> { groupsByUser[user] ?? [] }
}

/// Asks the underlying membership at most once per user during one decision.
final class MemoizedMembership<Base: GroupMembership>: GroupMembership {
    private let base: Base
    private var cache: [String: Set<String>] = [:]

    init(_ base: Base) { self.base = base }

    func groupNames(ofUser user: String) throws -> Set<String> {
        if let hit = cache[user] { return hit }
        let groups = try base.groupNames(ofUser: user)
        cache[user] = groups
        return groups
    }
}
