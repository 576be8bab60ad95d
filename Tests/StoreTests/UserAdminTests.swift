import Testing
@testable import Store

@Suite("Store: user subsets, batched role names, user updates with roles, activity lookups")
struct UserAdminTests {
    @Test("a subset matches named users or members of named groups, with a total over the subset only")
    func subset() async throws {
        let store = try Store.inMemory()
        _ = try await store.createGroup(name: "g")
        for name in ["alice", "bob", "carol", "dave"] { _ = try await store.createUser(NewUser(name: name)) }
        try await store.addMembers(["carol", "dave"], toGroup: "g")
        let page = try await store.users(matching: UserQuery(subset: UserSubset(names: ["alice"], groups: ["g"])),
                                         page: PageRequest(offset: 0, limit: 2))
        #expect(page.items.map(\.name) == ["alice", "carol"])
        #expect(page.total == 3)
        let none = try await store.users(matching: UserQuery(subset: UserSubset()))
        #expect(none.items.isEmpty && none.total == 0)
    }

    @Test("role names come per user, directly held only, in one call")
    func roleNames() async throws {
        let store = try Store.inMemory()
        try await store.saveRole(name: "user", scopes: ["self"])
        try await store.saveRole(name: "extra", scopes: ["read:hub"])
        let group = try await store.createGroup(name: "g")
        try await store.assignRole("extra", to: .group(group.id))
        let alice = try await store.createUser(NewUser(name: "alice", roles: ["user", "extra"]))
        let bob = try await store.createUser(NewUser(name: "bob", roles: ["user"], groups: ["g"]))
        let names = try await store.roleNames(ofUsers: [alice.id, bob.id])
        #expect(names[alice.id] == ["user", "extra"])
        #expect(names[bob.id] == ["user"])
    }

    @Test("updating a user with role changes is one transaction: a missing role leaves the row unchanged")
    func updateWithRoles() async throws {
        let store = try Store.inMemory()
        try await store.saveRole(name: "admin", scopes: ["admin:users"])
        var alice = try await store.createUser(NewUser(name: "alice"))
        alice.admin = true
        try await store.updateUser(alice, grantingRoles: ["admin"], revokingRoles: [])
        #expect(try await store.roles(of: .user(alice.id)).map(\.name) == ["admin"])
        alice.admin = false
        try await store.updateUser(alice, grantingRoles: [], revokingRoles: ["admin"])
        #expect(try await store.roles(of: .user(alice.id)).isEmpty)
        alice.name = "alicia"
        await #expect(throws: StoreError.notFound(.role, "nope")) {
            try await store.updateUser(alice, grantingRoles: ["nope"], revokingRoles: [])
        }
        #expect(try await store.user(id: alice.id)?.name == "alice")
    }

    @Test("activity targets give the user's id and server ids by name, nil for an unknown user")
    func activityTargets() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let nb = try await store.createServer(NewServer(userID: alice.id, name: "nb1"))
        let targets = try #require(try await store.activityTargets(userNamed: "alice"))
        #expect(targets.userID == alice.id)
        #expect(targets.servers == ["nb1": nb.id])
        #expect(try await store.activityTargets(userNamed: "ghost") == nil)
    }
}
