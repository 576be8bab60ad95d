import Foundation
import GRDB
import Testing
@testable import Store

@Suite("Group commit")
struct WriteBatchTests {
    @Test("hundreds of concurrent writes all commit, each visible to the next read")
    func concurrentWritesCommit() async throws {
        let (store, dir) = try makeFileStore()
        _ = dir
        let names = (0..<300).map { String(format: "u%03d", $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for name in names { group.addTask { _ = try await store.createUser(NewUser(name: name)) } }
            try await group.waitForAll()
        }
        #expect(try await store.userCount() == names.count)
        // A write acknowledged to its caller is committed: a fresh connection sees it.
        let reopened = try Store(path: store.path)
        #expect(try await reopened.userCount() == names.count)
    }

    @Test("a write that fails inside a batch is rolled back alone and gets its own error")
    func failureIsIsolated() async throws {
        let (store, dir) = try makeFileStore()
        _ = dir
        _ = try await store.createUser(NewUser(name: "taken"))
        // Many writes at once, so they share transactions; every third one collides with an existing name.
        let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for i in 0..<60 {
                let name = i % 3 == 0 ? "taken" : "user\(i)"
                group.addTask {
                    do {
                        _ = try await store.createUser(NewUser(name: name))
                        return (name, true)
                    } catch StoreError.alreadyExists(.user, "taken") {
                        return (name, false)
                    }
                }
            }
            var all: [(String, Bool)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.filter { !$0.1 }.count == 20)
        #expect(results.filter { !$0.1 }.allSatisfy { $0.0 == "taken" })
        #expect(try await store.userCount() == 41)
        for i in 0..<60 where i % 3 != 0 {
            #expect(try await store.user(named: "user\(i)") != nil)
        }
    }

    @Test("a spawn's row and credentials are written together and read back at once")
    func spawnWriteVisible() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let credentials = ServerCredentials(
            token: NewAPIToken(prefix: "abcd", hashed: "sha512:1:salt:00", owner: .user(alice.id), scopes: ["access:servers!server=alice/"],
                               note: "Server at /user/alice/"),
            clientIdentifier: "jupyterhub-user-alice", clientDescription: "Server at /user/alice/", clientSecretHash: "sha512:1:salt:00",
            redirectURI: "/user/alice/oauth_callback", allowedScopes: ["access:servers!server=alice/"])
        let row = try await store.beginSpawn(SpawnStart(userID: alice.id, name: "", displayNameIfCreated: "", newDisplayName: nil,
                                                        userOptions: nil, at: .now()), credentials: credentials)
        #expect(row.pending == .spawn && !row.ready)
        #expect(try await store.server(userID: alice.id, name: "")?.pending == .spawn)
        #expect(try await store.tokens(of: .user(alice.id)).map(\.note) == ["Server at /user/alice/"])
        #expect(try await store.oauthClient(identifier: "jupyterhub-user-alice") != nil)
    }

    @Test("a spawn whose credentials cannot be stored records nothing")
    func spawnWriteAtomic() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let bad = ServerCredentials(
            token: NewAPIToken(prefix: "toolong", hashed: "x", owner: .user(alice.id), scopes: [], note: "Server at /user/alice/"),
            clientIdentifier: "jupyterhub-user-alice", clientDescription: "", clientSecretHash: "x", redirectURI: "", allowedScopes: [])
        await #expect(throws: StoreError.self) {
            _ = try await store.beginSpawn(SpawnStart(userID: alice.id, name: "", displayNameIfCreated: "", newDisplayName: nil,
                                                      userOptions: nil, at: .now()), credentials: bad)
        }
        #expect(try await store.server(userID: alice.id, name: "")?.pending == nil)
        #expect(try await store.tokens(of: .user(alice.id)).isEmpty)
    }
}
