// The in-memory copy of every user with what its REST model needs (direct role names, group names,
// server rows), kept compact: role and group name lists are interned (most users share `["user"]` and
// `[]`), so a user costs its row, two 4-byte indices and its servers. Only `UserDirectory` mutates it.
import GRDB

/// A user with its direct role names, group names and every server row: what a user model is built from.
public struct UserView: Sendable, Equatable {
    public var user: User
    /// Group names, ordered by group id (membership order as JupyterHub lists it).
    public var groups: [String]
    /// Names of roles held directly (not through groups), ordered by role id.
    public var roles: [String]
    /// Every server row of the user (active or not), ordered by name.
    public var servers: [Server]

    public init(user: User, groups: [String], roles: [String], servers: [Server]) {
        self.user = user; self.groups = groups; self.roles = roles; self.servers = servers
    }

    /// Running or in transition: the listing's `state=active`.
    var isActive: Bool { servers.contains { $0.isActive } }
    /// Some server is ready for traffic: the listing's `state=ready`.
    var isReady: Bool { servers.contains { $0.ready } }
}

/// Equal string lists stored once; an index names one.
struct InternedLists {
    private(set) var lists: [[String]] = [[]]
    private var indices: [[String]: UInt32] = [[]: 0]

    mutating func intern(_ list: [String]) -> UInt32 {
        if let index = indices[list] { return index }
        let index = UInt32(lists.count)
        lists.append(list)
        indices[list] = index
        return index
    }

    subscript(index: UInt32) -> [String] { lists[Int(index)] }
}

/// All users, ordered by id, with a name index.
struct DirectoryState {
    struct Entry {
        var user: User
        var roles: UInt32
        var groups: UInt32
        var servers: [Server]
    }

    private(set) var entries: [Entry] = []
    private var idsByName: [String: UserID] = [:]
    private var roleLists = InternedLists()
    private var groupLists = InternedLists()

    var count: Int { entries.count }

    /// Position of `id` in `entries`, or where it would be inserted.
    private func position(of id: UserID) -> (index: Int, found: Bool) {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let midID = entries[mid].user.id.rawValue
            if midID == id.rawValue { return (mid, true) }
            if midID < id.rawValue { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }

    func view(_ entry: Entry) -> UserView {
        UserView(user: entry.user, groups: groupLists[entry.groups], roles: roleLists[entry.roles], servers: entry.servers)
    }

    func view(id: UserID) -> UserView? {
        let (index, found) = position(of: id)
        return found ? view(entries[index]) : nil
    }

    func contains(id: UserID) -> Bool { position(of: id).found }

    func view(named name: String) -> UserView? { idsByName[name].flatMap { view(id: $0) } }

    /// Inserts or replaces the user with `view.user.id`.
    mutating func upsert(_ view: UserView) {
        let entry = Entry(user: view.user, roles: roleLists.intern(view.roles), groups: groupLists.intern(view.groups),
                          servers: view.servers)
        let (index, found) = position(of: view.user.id)
        if found {
            let old = entries[index].user.name
            if old != view.user.name, idsByName[old] == view.user.id { idsByName[old] = nil }
            entries[index] = entry
        } else {
            entries.insert(entry, at: index)
        }
        idsByName[view.user.name] = view.user.id
    }

    // MARK: Bulk loading (rows arrive ordered by user id)

    /// Appends a user known to sort after every present one (a load reads users by id).
    mutating func append(_ user: User) {
        if let last = entries.last, last.user.id.rawValue >= user.id.rawValue {
            upsert(UserView(user: user, groups: [], roles: [], servers: []))
            return
        }
        entries.append(Entry(user: user, roles: 0, groups: 0, servers: []))
        idsByName[user.name] = user.id
    }

    /// Replaces a present user's row (a rename moves its name index entry).
    mutating func setUser(_ user: User) {
        let (index, found) = position(of: user.id)
        guard found else { return }
        let old = entries[index].user.name
        if old != user.name {
            if idsByName[old] == user.id { idsByName[old] = nil }
            idsByName[user.name] = user.id
        }
        entries[index].user = user
    }

    mutating func setServers(_ servers: [Server], of id: UserID) {
        let (index, found) = position(of: id)
        if found { entries[index].servers = servers }
    }

    mutating func setRoles(_ names: [String], of id: UserID) {
        let (index, found) = position(of: id)
        if found { entries[index].roles = roleLists.intern(names) }
    }

    mutating func setGroups(_ names: [String], of id: UserID) {
        let (index, found) = position(of: id)
        if found { entries[index].groups = groupLists.intern(names) }
    }

    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
        idsByName.reserveCapacity(count)
    }

    /// Removes the user with `id`, if present.
    mutating func remove(id: UserID) {
        let (index, found) = position(of: id)
        guard found else { return }
        let name = entries[index].user.name
        if idsByName[name] == id { idsByName[name] = nil }
        entries.remove(at: index)
    }

    /// Owner of server `id`, if some user holds that row.
    func owner(ofServer id: ServerID) -> UserID? {
        entries.first { entry in entry.servers.contains { $0.id == id } }?.user.id
    }
}
