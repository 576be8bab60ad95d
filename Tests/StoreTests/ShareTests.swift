import Foundation
import Testing
@testable import Store

@Suite("Shares and share codes")
struct ShareTests {
    @Test("one share per server and grantee; saving again replaces scopes and keeps the creation time")
    func upsert() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let bob = try await store.createUser(NewUser(name: "bob"))
        let server = try await store.createServer(NewServer(userID: alice.id))
        let first = try await store.saveShare(serverID: server.id, grantee: .user(bob.id), scopes: ["access:servers!server=alice/"])
        let again = try await store.saveShare(serverID: server.id, grantee: .user(bob.id), scopes: ["read:servers!server=alice/"])
        #expect(first.id == again.id && first.created == again.created && again.scopes == ["read:servers!server=alice/"])
        #expect(try await store.share(serverID: server.id, grantee: .user(bob.id)) == again)
        #expect(again.grantee == .user(bob.id))
        await #expect(throws: StoreError.invalidReference("share on server \(server.id)")) {
            _ = try await store.saveShare(serverID: server.id, grantee: .group(GroupID(5)), scopes: [])
        }
    }

    @Test("shares list by server, by owner and by grantee (directly or via groups), paged with a total")
    func queries() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let bob = try await store.createUser(NewUser(name: "bob"))
        let carol = try await store.createUser(NewUser(name: "carol"))
        let staff = try await store.createGroup(name: "staff")
        try await store.addMembers(["bob"], toGroup: "staff")
        let a1 = try await store.createServer(NewServer(userID: alice.id))
        let a2 = try await store.createServer(NewServer(userID: alice.id, name: "nb"))
        let c1 = try await store.createServer(NewServer(userID: carol.id))
        let s1 = try await store.saveShare(serverID: a1.id, grantee: .user(bob.id), scopes: [])
        let s2 = try await store.saveShare(serverID: a2.id, grantee: .group(staff.id), scopes: [])
        let s3 = try await store.saveShare(serverID: c1.id, grantee: .user(bob.id), scopes: [])

        #expect(try await store.shares(.server(a1.id)).items.map(\.id) == [s1.id])
        #expect(try await store.shares(.owner(alice.id)).items.map(\.id) == [s1.id, s2.id])
        #expect(try await store.shares(.grantedToUser(bob.id, viaGroups: false)).items.map(\.id) == [s1.id, s3.id])
        let viaGroups = try await store.shares(.grantedToUser(bob.id, viaGroups: true), page: PageRequest(offset: 1, limit: 1))
        #expect(viaGroups.items.map(\.id) == [s2.id] && viaGroups.total == 3)
        #expect(try await store.shares(.grantedToGroup(staff.id)).items.map(\.id) == [s2.id])

        #expect(try await store.deleteShare(id: s3.id))
        #expect(try await store.deleteShare(id: s3.id) == false)
        #expect(try await store.deleteShares(serverID: a1.id) == 1)
        try await store.deleteGroup(named: "staff")
        #expect(try await store.shares(.owner(alice.id)).total == 0)
    }

    @Test("share codes: prefix lookup ignores expired ones, exchanges are counted, and they go with their server")
    func codes() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let server = try await store.createServer(NewServer(userID: alice.id))
        let now = Timestamp.now()
        let live = try await store.createShareCode(NewShareCode(serverID: server.id, prefix: "abcd", hashed: "h1", scopes: ["access:servers!server=alice/"],
                                                                 expiresAt: now.adding(seconds: 86_400)))
        _ = try await store.createShareCode(NewShareCode(serverID: server.id, prefix: "abcd", hashed: "h2", scopes: [], expiresAt: now))
        #expect(try await store.shareCodes(withPrefix: "abcd", now: now).map(\.id) == [live.id])
        let listed = try await store.shareCodes(serverID: server.id, now: now)
        #expect(listed.items.map(\.id) == [live.id] && listed.total == 1)

        let exchanged = Timestamp(microsecondsSinceEpoch: now.microseconds + 1)
        try await store.recordShareCodeExchange(id: live.id, at: exchanged)
        try await store.recordShareCodeExchange(id: live.id, at: exchanged)
        let after = try await store.shareCodes(withPrefix: "abcd", now: now).first
        #expect(after?.exchangeCount == 2 && after?.lastExchangedAt == exchanged)

        #expect(try await store.deleteExpiredShareCodes(now: now) == 1)
        try await store.deleteServer(id: server.id)
        #expect(try await store.shareCodes(withPrefix: "abcd", now: now).isEmpty)
        await #expect(throws: StoreError.notFound(.shareCode, "sc_\(live.id)")) { try await store.recordShareCodeExchange(id: live.id) }
        #expect(try await store.deleteShareCode(id: live.id) == false)
        #expect(try await store.deleteShareCodes(serverID: server.id) == 0)
    }
}
