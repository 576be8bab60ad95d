import Foundation
import Testing
@testable import Store

@Suite("Users")
struct UserTests {
    @Test("create, get by name and id, update and delete a user")
    func crud() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice", admin: true, wikiUserID: 42))
        #expect(alice.name == "alice" && alice.admin && alice.wikiUserID == 42 && !alice.blocked)
        #expect(alice.cookieID.count == 32 && alice.cookieID.allSatisfy(\.isHexDigit))
        #expect(alice.lastActivity == nil)
        #expect(try await store.user(named: "alice") == alice)
        #expect(try await store.user(id: alice.id) == alice)
        #expect(try await store.user(named: "Alice") == nil)

        var changed = alice
        changed.name = "alicia"
        changed.admin = false
        changed.encryptedAuthState = Data([0, 1, 2, 255])
        try await store.updateUser(changed)
        let reread = try await store.user(id: alice.id)
        #expect(reread?.name == "alicia" && reread?.admin == false && reread?.encryptedAuthState == Data([0, 1, 2, 255]))
        #expect(reread?.created == alice.created)

        try await store.deleteUser(named: "alicia")
        #expect(try await store.user(id: alice.id) == nil)
        await #expect(throws: StoreError.notFound(.user, "alicia")) { try await store.deleteUser(named: "alicia") }
        await #expect(throws: StoreError.notFound(.user, String(alice.id.rawValue))) { try await store.updateUser(changed) }
    }

    @Test("a taken name is StoreError.alreadyExists, on create and on rename")
    func uniqueness() async throws {
        let store = try Store.inMemory()
        _ = try await store.createUser(NewUser(name: "alice"))
        let bob = try await store.createUser(NewUser(name: "bob"))
        await #expect(throws: StoreError.alreadyExists(.user, "alice")) { _ = try await store.createUser(NewUser(name: "alice")) }
        var renamed = bob
        renamed.name = "alice"
        await #expect(throws: StoreError.alreadyExists(.user, "alice")) { try await store.updateUser(renamed) }
        await #expect(throws: StoreError.self) { _ = try await store.createUser(NewUser(name: "")) }
    }

    @Test("createUsers creates only the free names, in one transaction")
    func createMany() async throws {
        let store = try Store.inMemory()
        _ = try await store.createUser(NewUser(name: "alice"))
        let created = try await store.createUsers([NewUser(name: "alice"), NewUser(name: "bob"), NewUser(name: "carol")])
        #expect(created.map(\.name) == ["bob", "carol"])
        #expect(try await store.userCount() == 3)
    }

    @Test("a user is created with roles and groups atomically; a missing role leaves nothing behind")
    func createWithRolesAtomically() async throws {
        let store = try Store.inMemory()
        try await store.saveRole(name: "user", scopes: ["self"])
        try await store.createGroup(name: "staff")
        let alice = try await store.createUser(NewUser(name: "alice", roles: ["user"], groups: ["staff"]))
        #expect(try await store.roles(of: .user(alice.id)).map(\.name) == ["user"])
        #expect(try await store.members(ofGroup: "staff") == ["alice"])

        await #expect(throws: StoreError.notFound(.role, "nope")) {
            _ = try await store.createUser(NewUser(name: "bob", roles: ["user", "nope"]))
        }
        #expect(try await store.user(named: "bob") == nil)
        await #expect(throws: StoreError.notFound(.group, "ghosts")) {
            _ = try await store.createUser(NewUser(name: "bob", groups: ["ghosts"]))
        }
        #expect(try await store.user(named: "bob") == nil)
    }

    @Test("listing pages by id with a total, filters by name and by server state, and sorts")
    func listing() async throws {
        let store = try Store.inMemory()
        var users: [User] = []
        for name in ["ann", "Bob", "bea", "carl", "Ärger", "dora"] {
            users.append(try await store.createUser(NewUser(name: name)))
        }
        let page = try await store.users(page: PageRequest(offset: 2, limit: 2))
        #expect(page.items.map(\.name) == ["bea", "carl"] && page.total == 6 && page.offset == 2 && page.hasMore)
        let last = try await store.users(page: PageRequest(offset: 4, limit: 10))
        #expect(last.items.map(\.name) == ["Ärger", "dora"] && !last.hasMore)

        #expect(try await store.users(matching: UserQuery(name: .prefix("b"))).items.map(\.name) == ["Bob", "bea"])
        #expect(try await store.users(matching: UserQuery(name: .contains("R"))).items.map(\.name) == ["carl", "Ärger", "dora"])
        #expect(try await store.users(matching: UserQuery(name: .prefix("är"))).items.map(\.name) == ["Ärger"])
        #expect(try await store.users(matching: UserQuery(name: .contains("%"))).total == 0)

        // ann: ready server; bea: spawn pending; carl: stopped row only.
        let annServer = try await store.createServer(NewServer(userID: users[0].id))
        var ready = annServer
        ready.ready = true
        ready.started = .now()
        try await store.updateServer(ready)
        var pending = try await store.createServer(NewServer(userID: users[2].id, name: "nb"))
        pending.pending = .spawn
        try await store.updateServer(pending)
        _ = try await store.createServer(NewServer(userID: users[3].id))

        #expect(try await store.users(matching: UserQuery(state: .active)).items.map(\.name) == ["ann", "bea"])
        #expect(try await store.users(matching: UserQuery(state: .ready)).items.map(\.name) == ["ann"])
        let inactive = try await store.users(matching: UserQuery(state: .inactive), page: PageRequest(limit: 2))
        #expect(inactive.items.map(\.name) == ["Bob", "carl"] && inactive.total == 4)

        try await store.bumpUserActivity([users[5].id: Timestamp(microsecondsSinceEpoch: 5), users[1].id: Timestamp(microsecondsSinceEpoch: 9)])
        let byActivity = try await store.users(matching: UserQuery(sort: .lastActivity)).items.map(\.name)
        #expect(byActivity == ["ann", "bea", "carl", "Ärger", "dora", "Bob"])
        let byActivityDesc = try await store.users(matching: UserQuery(sort: .descending(.lastActivity))).items.map(\.name)
        #expect(byActivityDesc == ["Bob", "dora", "Ärger", "carl", "bea", "ann"])
        #expect(try await store.users(matching: UserQuery(sort: .name)).items.map(\.name) == ["Bob", "ann", "bea", "carl", "dora", "Ärger"])
    }

    @Test("activity only moves forward, and updating a stale copy cannot move it back")
    func activityForwardOnly() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let t1 = Timestamp(microsecondsSinceEpoch: 1_000_000_000_000_001)
        let t0 = Timestamp(microsecondsSinceEpoch: 1_000_000_000_000_000)
        #expect(try await store.bumpUserActivity([alice.id: t1]) == 1)
        #expect(try await store.bumpUserActivity([alice.id: t0]) == 0)
        #expect(try await store.user(id: alice.id)?.lastActivity == t1)
        try await store.updateUser(alice)  // alice.lastActivity is nil in this copy
        #expect(try await store.user(id: alice.id)?.lastActivity == t1)
        #expect(try await store.bumpUserActivity([:]) == 0)
    }

    @Test("deleting a user removes their servers, tokens, memberships, roles, codes and shares")
    func cascade() async throws {
        let store = try Store.inMemory()
        try await store.saveRole(name: "user", scopes: ["self"])
        try await store.createGroup(name: "staff")
        let alice = try await store.createUser(NewUser(name: "alice", roles: ["user"], groups: ["staff"]))
        let bob = try await store.createUser(NewUser(name: "bob"))
        let aliceServer = try await store.createServer(NewServer(userID: alice.id))
        let bobServer = try await store.createServer(NewServer(userID: bob.id))
        _ = try await store.createToken(NewAPIToken(prefix: "abcd", hashed: "h1", owner: .user(alice.id), scopes: ["inherit"]))
        try await store.saveShare(serverID: aliceServer.id, grantee: .user(bob.id), scopes: ["access:servers!server=alice/"])
        try await store.saveShare(serverID: bobServer.id, grantee: .user(alice.id), scopes: ["access:servers!server=bob/"])
        _ = try await store.createShareCode(NewShareCode(serverID: aliceServer.id, prefix: "sc00", hashed: "sc", scopes: [],
                                                          expiresAt: .now().adding(seconds: 60)))
        _ = try await store.createOAuthCode(NewOAuthCode(prefix: "code", hashed: "c", clientID: "jupyterhub", userID: alice.id,
                                                          redirectURI: "/x", scopes: [], expiresAt: .now().adding(seconds: 60)))

        try await store.deleteUser(named: "alice")

        let counts = try await store.testRead { db in
            try ["servers", "api_tokens", "user_group_map", "user_role_map", "shares", "share_codes", "oauth_codes"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
            }
        }
        #expect(counts == [1, 0, 0, 0, 0, 0, 0])
        #expect(try await store.server(id: bobServer.id) != nil)
        #expect(try await store.group(named: "staff") != nil)
        #expect(try await store.role(named: "user") != nil)
    }
}
