import Testing
@testable import Store

@Suite("Start-up reconciliation state")
struct StartupStateTests {
    @Test("start-up state: every user's flags and every role's holders, one query per table")
    func reconciliationState() async throws {
        let store = try Store.inMemory()
        _ = try await store.saveRole(name: "user", scopes: ["self"])
        _ = try await store.saveRole(name: "admin", scopes: ["admin-ui"])
        let alice = try await store.createUser(NewUser(name: "alice", admin: true))
        var bob = try await store.createUser(NewUser(name: "bob"))
        bob.blocked = true
        try await store.updateUser(bob)
        try await store.setRoleHolders("user", users: [alice.id, bob.id], groups: [], services: [])
        try await store.setRoleHolders("admin", users: [alice.id], groups: [], services: [])
        let state = try await store.loadRoleReconciliationState()
        #expect(state.users == [UserFlags(id: alice.id, name: "alice", admin: true, blocked: false),
                                UserFlags(id: bob.id, name: "bob", admin: false, blocked: true)])
        #expect(state.holders["user"] == RoleHolderIDs(users: [alice.id, bob.id]))
        #expect(state.holders["admin"] == RoleHolderIDs(users: [alice.id]))
    }
}

@Suite("Releasing SQLite memory")
struct ReleaseMemoryTests {
    @Test("after idle connections are closed, reads reopen them and see every committed write")
    func readsAfterRelease() async throws {
        let (store, dir) = try makeFileStore()
        _ = dir
        _ = try await store.createUser(NewUser(name: "alice"))
        #expect(try await store.userCount() == 1)
        store.releaseMemory()
        try await Task.sleep(for: .milliseconds(100))
        _ = try await store.createUser(NewUser(name: "bob"))
        #expect(try await store.userCount() == 2)
        #expect(try await store.user(named: "bob") != nil)
    }
}
