import Foundation
import Testing
@testable import Store

@Suite("Servers")
struct ServerTests {
    @Test("create, look up by user and name, update and delete a server")
    func crud() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let options = try JSONObjectText(#"{"profile":"small"}"#)
        let created = try await store.createServer(NewServer(userID: alice.id, name: "nb1", displayName: "Notebook 1", userOptions: options))
        #expect(created.name == "nb1" && created.displayName == "Notebook 1" && created.userOptions == options)
        #expect(!created.ready && created.pending == nil && created.state == .empty && !created.isActive)
        #expect(try await store.server(userID: alice.id, name: "nb1") == created)
        #expect(try await store.server(userID: alice.id, name: "") == nil)

        var running = created
        running.url = "http://10.0.0.5:8888/user/alice/nb1/"
        running.ip = "10.0.0.5"
        running.port = 8888
        running.baseURL = "/user/alice/nb1/"
        running.started = Timestamp(microsecondsSinceEpoch: 1_700_000_000_123_456)
        running.ready = true
        running.state = try JSONObjectText(#"{"pod_name":"jupyter-alice"}"#)
        running.serverVersion = "4.1.1"
        try await store.updateServer(running)
        #expect(try await store.server(id: created.id) == running)

        try await store.deleteServer(id: created.id)
        #expect(try await store.server(id: created.id) == nil)
        await #expect(throws: StoreError.notFound(.server, String(created.id.rawValue))) { try await store.deleteServer(id: created.id) }
    }

    @Test("one server per user and name; the default server is the empty name")
    func uniqueness() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let bob = try await store.createUser(NewUser(name: "bob"))
        _ = try await store.createServer(NewServer(userID: alice.id))
        _ = try await store.createServer(NewServer(userID: bob.id))
        await #expect(throws: StoreError.alreadyExists(.server, "\(alice.id)/")) {
            _ = try await store.createServer(NewServer(userID: alice.id))
        }
        let other = try await store.createServer(NewServer(userID: alice.id, name: "nb"))
        var renamed = other
        renamed.name = ""
        await #expect(throws: StoreError.alreadyExists(.server, "\(alice.id)/")) { try await store.updateServer(renamed) }
    }

    @Test("a server for a missing user is an invalid reference; bad values are rejected")
    func badValues() async throws {
        let store = try Store.inMemory()
        await #expect(throws: StoreError.invalidReference("server 999/")) {
            _ = try await store.createServer(NewServer(userID: UserID(999)))
        }
        let alice = try await store.createUser(NewUser(name: "alice"))
        var server = try await store.createServer(NewServer(userID: alice.id))
        server.ready = true
        server.pending = .stop
        await #expect(throws: StoreError.self) { try await store.updateServer(server) }
        server.pending = nil
        server.port = 70_000
        await #expect(throws: StoreError.self) { try await store.updateServer(server) }
        #expect(throws: StoreError.self) { _ = try JSONObjectText("[1,2]") }
        #expect(throws: StoreError.self) { _ = try JSONObjectText("{nope") }
    }

    @Test("active servers come with owner names; batched reads group servers by user")
    func activeAndBatched() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let bob = try await store.createUser(NewUser(name: "bob"))
        var a = try await store.createServer(NewServer(userID: alice.id))
        a.ready = true
        try await store.updateServer(a)
        var b = try await store.createServer(NewServer(userID: bob.id, name: "nb"))
        b.pending = .spawn
        try await store.updateServer(b)
        _ = try await store.createServer(NewServer(userID: bob.id))

        let active = try await store.activeServers()
        #expect(active.map(\.ownerName) == ["alice", "bob"] && active.map(\.server.id) == [a.id, b.id])
        let activeByUser = try await store.servers(ofUsers: [alice.id, bob.id], activeOnly: true)
        #expect(activeByUser[alice.id]?.map(\.name) == [""] && activeByUser[bob.id]?.map(\.name) == ["nb"])
        let all = try await store.servers(ofUsers: [bob.id], activeOnly: false)
        #expect(all[bob.id]?.map(\.name) == ["", "nb"] && all[alice.id] == nil)
        #expect(try await store.servers(ofUser: bob.id).map(\.name) == ["", "nb"])
    }

    @Test("server activity moves forward only, in one batch, and carries the owner's activity along")
    func activity() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let s1 = try await store.createServer(NewServer(userID: alice.id))
        let s2 = try await store.createServer(NewServer(userID: alice.id, name: "nb"))
        let early = Timestamp(microsecondsSinceEpoch: 1_000_000), late = Timestamp(microsecondsSinceEpoch: 2_000_000)
        #expect(try await store.bumpServerActivity([s1.id: late, s2.id: early]) == 2)
        #expect(try await store.bumpServerActivity([s1.id: early, s2.id: early]) == 0)
        #expect(try await store.server(id: s1.id)?.lastActivity == late)
        #expect(try await store.server(id: s2.id)?.lastActivity == early)
        #expect(try await store.user(id: alice.id)?.lastActivity == late)
        #expect(try await store.bumpServerActivity([ServerID(12345): late]) == 0)
    }
}
