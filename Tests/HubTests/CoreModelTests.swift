import Auth
import Store
import Testing
@testable import Hub

@Suite("Model field visibility (contract §6)")
struct CoreModelTests {
    /// alice with a ready default server and a stopped named one.
    func alice(_ h: HubHarness) async throws -> UserSnapshot {
        let user = try await h.createUser("alice", groups: ["g"])
        var running = try await h.store.createServer(NewServer(userID: user.id))
        running.ready = true
        running.started = .now()
        try await h.store.updateServer(running)
        _ = try await h.store.createServer(NewServer(userID: user.id, name: "nb 1"))
        return try await h.hub.userSnapshot(user)
    }

    func render(_ snapshot: UserSnapshot, scopes: [String], hub: Hub, includeStopped: Bool = false) throws -> JSONValue {
        let expanded = hub.scopeHierarchy.expand(try Scope.parseAll(scopes), holder: .other)
        var w = JSONWriter()
        ModelEncoder(scopes: expanded, hub: hub, includeStoppedServers: includeStopped).writeUser(snapshot, to: &w)
        return try JSONValue.parse(w.bytes)
    }

    @Test("read:users:name shows kind, name, admin and user_info only")
    func nameOnly() async throws {
        try await withHub { h in
            let m = try render(try await alice(h), scopes: ["read:users:name!user=alice"], hub: h.hub)
            #expect(Set(m.objectValue?.keys ?? [:].keys) == ["kind", "name", "admin", "user_info"])
        }
    }

    @Test("read:users shows the profile; servers appear only with read:servers, with URLs and progress URLs")
    func fullAndServers() async throws {
        try await withHub { h in
            let snapshot = try await alice(h)
            let profile = try render(snapshot, scopes: ["read:users"], hub: h.hub)
            #expect(profile["server"] == .string("/user/alice/"))
            #expect(profile["servers"] == nil)
            #expect(profile["groups"] == .array([.string("g")]))
            let m = try render(snapshot, scopes: ["read:users", "read:servers"], hub: h.hub)
            let server = try #require(m["servers"]?[""])
            #expect(server["url"] == .string("/user/alice/"))
            #expect(server["full_name"] == .string("alice/"))
            #expect(server["ready"] == .bool(true))
            #expect(server["stopped"] == .bool(false))
            #expect(server["progress_url"] == .string("/hub/api/users/alice/server/progress"))
            #expect(server["user_options"] == .object([:]))
            #expect(server["state"] == nil)
            #expect(m["servers"]?["nb 1"] == nil)  // stopped servers only on request
            let all = try render(snapshot, scopes: ["read:servers", "admin:server_state"], hub: h.hub, includeStopped: true)
            let named = try #require(all["servers"]?["nb 1"])
            #expect(named["url"] == .string("/user/alice/nb%201/"))
            #expect(named["progress_url"] == .string("/hub/api/users/alice/servers/nb%201/progress"))
            #expect(named["state"] == .object([:]))
            #expect(all["created"] == nil)
        }
    }

    @Test("a server filter shows that server only next to user fields (alone it gives {} like JupyterHub); no scope gives {}")
    func serverFilter() async throws {
        try await withHub { h in
            let snapshot = try await alice(h)
            let alone = try render(snapshot, scopes: ["read:servers!server=alice/"], hub: h.hub)
            #expect(alone == .object([:]))
            let m = try render(snapshot, scopes: ["read:servers!server=alice/", "read:users:name!user=alice"], hub: h.hub)
            #expect(Set(m["servers"]?.objectValue?.keys ?? [:].keys) == [""])
            let none = try render(snapshot, scopes: ["read:users!user=bob"], hub: h.hub)
            #expect(none == .object([:]))
        }
    }

    @Test("group-filtered grants reveal members' fields")
    func groupGrant() async throws {
        try await withHub { h in
            let m = try render(try await alice(h), scopes: ["read:users:activity!group=g"], hub: h.hub)
            #expect(Set(m.objectValue?.keys ?? [:].keys) == ["kind", "name", "last_activity"])
        }
    }
}
