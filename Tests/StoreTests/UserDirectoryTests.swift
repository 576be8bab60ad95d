import Foundation
import Testing
@testable import Store

/// The user directory serves reads from memory: every write path must be visible on the very next read,
/// and what it serves must equal what SQL says.
@Suite("Store: user directory stays in step with every write")
struct UserDirectoryTests {
    /// A store whose directory is already loaded (so later writes must update it, not a fresh load).
    private func loadedStore() async throws -> Store {
        let store = try Store.inMemory()
        try await store.saveRole(name: "user", scopes: ["self"])
        try await store.saveRole(name: "admin", scopes: ["admin:users"])
        #expect(try await store.userCount() == 0)
        return store
    }

    /// The view as SQL reads it, to compare with the directory's.
    private func sqlView(_ store: Store, _ id: UserID) async throws -> UserView? {
        guard let user = try await store.read({ db in try User.fetchOne(db, key: id.rawValue) }) else { return nil }
        return UserView(user: user, groups: try await store.groupNames(ofUsers: [id])[id] ?? [],
                        roles: try await store.roleNames(ofUsers: [id])[id] ?? [],
                        servers: try await store.servers(ofUser: id))
    }

    @Test("created users, renames, admin role changes and deletions are visible at once")
    func userWrites() async throws {
        let store = try await loadedStore()
        var alice = try await store.createUser(NewUser(name: "alice", roles: ["user"]))
        let created = try await store.createUsers([NewUser(name: "bob", roles: ["user"]), NewUser(name: "alice")])
        #expect(created.map(\.name) == ["bob"])
        #expect(try await store.userView(named: "alice")?.roles == ["user"])
        #expect(try await store.userCount() == 2)

        alice.name = "alicia"
        alice.admin = true
        try await store.updateUser(alice, grantingRoles: ["admin"], revokingRoles: [])
        #expect(try await store.user(named: "alice") == nil)
        let renamed = try #require(try await store.userView(named: "alicia"))
        #expect(renamed.user.admin && renamed.roles == ["user", "admin"])
        #expect(renamed == (try await sqlView(store, alice.id)))

        try await store.unassignRole("admin", from: .user(alice.id))
        #expect(try await store.userView(id: alice.id)?.roles == ["user"])
        try await store.assignRole("admin", to: .user(alice.id))
        #expect(try await store.userView(id: alice.id)?.roles == ["user", "admin"])
        try await store.deleteRole(named: "admin")
        #expect(try await store.userView(id: alice.id)?.roles == ["user"])

        try await store.deleteUser(named: "alicia")
        #expect(try await store.user(id: alice.id) == nil)
        #expect(try await store.users(named: ["alicia", "bob", "bob"]).map(\.name) == ["bob"])
    }

    @Test("a failed write leaves the directory as the database: unchanged")
    func rollback() async throws {
        let store = try await loadedStore()
        await #expect(throws: StoreError.self) { try await store.createUser(NewUser(name: "carol", roles: ["missing"])) }
        #expect(try await store.user(named: "carol") == nil)
        let dave = try await store.createUser(NewUser(name: "dave"))
        await #expect(throws: StoreError.self) {
            try await store.updateUser(dave, grantingRoles: ["missing"], revokingRoles: [])
        }
        #expect(try await store.userView(named: "dave")?.roles == [])
    }

    @Test("group creation, membership, rename and deletion reach the members' views")
    func groups() async throws {
        let store = try await loadedStore()
        let erin = try await store.createUser(NewUser(name: "erin"))
        _ = try await store.createUser(NewUser(name: "frank"))
        try await store.createGroups(named: ["g1"], members: ["erin"])
        var g2 = try await store.createGroup(name: "g2")
        try await store.addMembers(["erin", "frank"], toGroup: "g2")
        #expect(try await store.userView(named: "erin")?.groups == ["g1", "g2"])
        #expect(try await store.userView(named: "frank")?.groups == ["g2"])
        g2.name = "renamed"
        try await store.updateGroup(g2)
        #expect(try await store.userView(named: "frank")?.groups == ["renamed"])
        try await store.removeMembers(["frank"], fromGroup: "renamed")
        #expect(try await store.userView(named: "frank")?.groups == [])
        try await store.deleteGroup(named: "g1")
        #expect(try await store.userView(named: "erin")?.groups == ["renamed"])
        #expect(try await store.userView(id: erin.id) == (try await sqlView(store, erin.id)))
    }

    @Test("server rows: creation, state changes, activity and removal; active/ready listings follow")
    func servers() async throws {
        let store = try await loadedStore()
        let gina = try await store.createUser(NewUser(name: "gina"))
        _ = try await store.createUser(NewUser(name: "hank"))
        var server = try await store.createServer(NewServer(userID: gina.id))
        #expect(try await store.userView(named: "gina")?.servers.map(\.id) == [server.id])
        let active = UserQuery(state: .active)
        #expect(try await store.userViews(matching: active, page: .all).total == 0)

        server.ready = true
        server.started = Timestamp.now()
        try await store.updateServer(server)
        #expect(try await store.userViews(matching: UserQuery(state: .ready), page: .all).items.map(\.user.name) == ["gina"])
        #expect(try await store.userViews(matching: UserQuery(state: .inactive), page: .all).items.map(\.user.name) == ["hank"])
        let later = Timestamp(microsecondsSinceEpoch: Timestamp.now().microseconds + 1_000_000)
        try await store.bumpServerActivity([server.id: later])
        try await store.bumpUserActivity([gina.id: later])
        let view = try #require(try await store.userView(named: "gina"))
        #expect(view.servers.first?.lastActivity == later && view.user.lastActivity == later)
        #expect(view == (try await sqlView(store, gina.id)))

        try await store.deleteServer(id: server.id)
        #expect(try await store.userView(named: "gina")?.servers == [])
        #expect(try await store.userViews(matching: active, page: .all).total == 0)
    }

    @Test("partial refreshes keep what they did not re-read: row-only updates, many users at once, cascades")
    func partialRefreshes() async throws {
        let store = try await loadedStore()
        let created = try await store.createUsers((0..<3).map { NewUser(name: "p\($0)", roles: ["user"]) })
        try await store.createGroups(named: ["team"], members: ["p0", "p1"])
        let server = try await store.createServer(NewServer(userID: created[0].id))
        var renamed = created[0]
        renamed.name = "p0-renamed"
        try await store.updateUser(renamed)
        let view = try #require(try await store.userView(named: "p0-renamed"))
        #expect(view.groups == ["team"] && view.roles == ["user"] && view.servers.map(\.id) == [server.id])
        #expect(try await store.userView(named: "p0") == nil)

        let later = Timestamp(microsecondsSinceEpoch: Timestamp.now().microseconds + 5_000_000)
        try await store.bumpUserActivity([created[1].id: later, created[2].id: later])
        for user in created.dropFirst() {
            #expect(try await store.userView(id: user.id) == (try await sqlView(store, user.id)))
        }
        // Re-declaring a role (start-up does) and re-describing a group change no user's model.
        try await store.saveRole(name: "user", description: "again", scopes: ["self", "read:hub"])
        var team = try #require(try await store.group(named: "team"))
        team.description = "described"
        try await store.updateGroup(team)
        for user in created {
            #expect(try await store.userView(id: user.id) == (try await sqlView(store, user.id)))
        }
        try await store.deleteUser(named: "p0-renamed")
        #expect(try await store.userView(id: created[0].id) == nil)
        #expect(try await store.userViews(ids: created.map(\.id)).map(\.user.name) == ["p1", "p2"])
    }

    @Test("a full load (first read after writes) and pages from memory equal SQL for every order, state and window")
    func pagesMatchSQL() async throws {
        // Nothing reads before the writes: the first read below loads everything in one go.
        let store = try Store.inMemory()
        try await store.saveRole(name: "user", scopes: ["self"])
        try await store.saveRole(name: "admin", scopes: ["admin:users"])
        try await store.createGroups(named: ["g"], members: [])
        var users: [User] = []
        for i in 0..<12 {
            users.append(try await store.createUser(NewUser(name: "u\(i)", admin: i == 2, roles: i == 2 ? ["user", "admin"] : ["user"],
                                                            groups: i % 4 == 0 ? ["g"] : [])))
        }
        try await store.deleteUser(named: "u3")
        for i in [1, 5, 8] {
            var server = try await store.createServer(NewServer(userID: users[i].id))
            server.ready = i != 5
            server.pending = i == 5 ? .spawn : nil
            try await store.updateServer(server)
            _ = try await store.createServer(NewServer(userID: users[i].id, name: "named"))
        }
        for user in users {
            #expect(try await store.userView(id: user.id) == (try await sqlView(store, user.id)))
        }
        for state in [nil, ServerStateFilter.active, .inactive, .ready] {
            for sort in [UserSort.id, .descending(.id), .name] {
                for page in [PageRequest.all, PageRequest(offset: 2, limit: 3), PageRequest(offset: 20, limit: 5)] {
                    let query = UserQuery(state: state, sort: sort)
                    let sql = try await store.users(matching: query, page: page)
                    let memory = try await store.userViews(matching: query, page: page)
                    #expect(memory.items.map(\.user) == sql.items, "\(query) \(page)")
                    #expect(memory.total == sql.total && memory.offset == sql.offset)
                }
            }
        }
    }
}

/// Another process (`pawshub token USER`) writes the same database file while the hub runs: the hub's
/// directory must not hide what that process committed.
@Suite("Store: user directory and writes by other processes")
struct UserDirectoryExternalWriteTests {
    @Test("a user another connection creates is found at once, and a rename there shows up after the next check")
    func otherConnectionWrites() async throws {
        let (hub, dir) = try makeFileStore()
        try await hub.saveRole(name: "user", scopes: ["self"])
        _ = try await hub.createUser(NewUser(name: "alice", roles: ["user"]))
        #expect(try await hub.user(named: "alice") != nil)  // directory loaded

        let cli = try Store(path: dir.path("hub.sqlite"))
        let created = try await cli.createUser(NewUser(name: "tokenuser", roles: ["user"]))
        // A miss is confirmed against the other connection's commits before answering "no such user".
        #expect(try await hub.user(named: "tokenuser")?.id == created.id)
        #expect(try await hub.userView(id: created.id)?.roles == ["user"])

        // A change to a user the directory already holds shows up once the (1 s) check has run.
        var renamed = try #require(try await cli.user(named: "alice"))
        renamed.admin = true
        try await cli.updateUser(renamed, grantingRoles: [], revokingRoles: [])
        let seen = try await pollUntil { try await hub.user(named: "alice")?.admin == true }
        #expect(seen)
    }

    private func pollUntil(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<300 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }
}
