import Foundation
import HTTPTypes
import Spawners
import Store
import Testing
@testable import Hub

@Suite("Server admission and named servers")
struct ServersLimitsTests {
    @Test("concurrent_spawn_limit throttles with 429, JupyterHub's message and Retry-After in 30–60 s")
    func throttle() async throws {
        try await withServersHub(yaml: "JupyterHub: {concurrent_spawn_limit: 2, spawn_throttle_wait: 0, tornado_settings: {slow_spawn_timeout: 0.05}}") { env in
            let admin = try await env.harness.createUser("root", admin: true)
            let token = try await env.harness.token(for: admin.name)
            for name in ["a1", "a2", "a3"] { _ = try await env.harness.createUser(name) }
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .seconds(30)))
            #expect(try await env.harness.request(.post, "/hub/api/users/a1/server", token: token).status == 202)
            #expect(try await env.harness.request(.post, "/hub/api/users/a2/server", token: token).status == 202)
            let third = try await env.harness.request(.post, "/hub/api/users/a3/server", token: token)
            #expect(third.status == 429)
            let retry = try #require(third.header("Retry-After").flatMap(Int.init))
            #expect((30...60).contains(retry))
            let rounded = Int((Double(retry) / 10).rounded(.up)) * 10
            #expect(third.message == "Too many users trying to log in right now. Try again in \(rounded) seconds.")
            #expect(env.spawners.spawner("a3") == nil)
            // Stopping a pending spawn frees a slot.
            #expect(try await env.harness.request(.delete, "/hub/api/users/a1/server", token: token).status == 204)
            #expect(try await env.harness.request(.post, "/hub/api/users/a3/server", token: token).status == 202)
        }
    }

    @Test("over concurrent_spawn_limit a start waits (spawn_throttle_wait) for a spawn to finish instead of a 429")
    func throttleWait() async throws {
        try await withServersHub(yaml: "JupyterHub: {concurrent_spawn_limit: 2, spawn_throttle_wait: 10}") { env in
            let admin = try await env.harness.createUser("root", admin: true)
            let token = try await env.harness.token(for: admin.name)
            for name in ["a1", "a2", "a3"] { _ = try await env.harness.createUser(name) }
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .milliseconds(300)))
            let began = ContinuousClock.now
            async let first = env.harness.request(.post, "/hub/api/users/a1/server", token: token)
            async let second = env.harness.request(.post, "/hub/api/users/a2/server", token: token)
            try await Task.sleep(for: .milliseconds(100))
            // Both slots are taken for ~200 ms more: the third start is held, not bounced, and is admitted only
            // once a slot frees (so it cannot finish before two start delays have passed).
            let third = try await env.harness.request(.post, "/hub/api/users/a3/server", token: token)
            #expect(third.status == 201)
            #expect(ContinuousClock.now - began >= .milliseconds(600))
            #expect(try await first.status == 201)
            #expect(try await second.status == 201)
        }
    }

    @Test("a start still gets the 429 when no spawn finishes within spawn_throttle_wait")
    func throttleWaitExpires() async throws {
        try await withServersHub(yaml: "JupyterHub: {concurrent_spawn_limit: 1, spawn_throttle_wait: 0.2, tornado_settings: {slow_spawn_timeout: 0.05}}") { env in
            let admin = try await env.harness.createUser("root", admin: true)
            let token = try await env.harness.token(for: admin.name)
            for name in ["a1", "a2"] { _ = try await env.harness.createUser(name) }
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .seconds(30)))
            #expect(try await env.harness.request(.post, "/hub/api/users/a1/server", token: token).status == 202)
            let began = ContinuousClock.now
            let second = try await env.harness.request(.post, "/hub/api/users/a2/server", token: token)
            #expect(second.status == 429)
            #expect(ContinuousClock.now - began >= .milliseconds(200))
            #expect(env.spawners.spawner("a2") == nil)
        }
    }

    @Test("active_server_limit refuses new servers with 429 while that many are active")
    func activeLimit() async throws {
        try await withServersHub(yaml: "JupyterHub: {active_server_limit: 1}") { env in
            let admin = try await env.harness.createUser("root", admin: true)
            let token = try await env.harness.token(for: admin.name)
            _ = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("bob")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            let bob = try await env.harness.request(.post, "/hub/api/users/bob/server", token: token)
            #expect(bob.status == 429)
            #expect(bob.message == "Active user limit exceeded. Try again in a few minutes.")
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token).status == 204)
            #expect(try await env.harness.request(.post, "/hub/api/users/bob/server", token: token).status == 201)
        }
    }

    @Test("named servers are refused while disabled")
    func namedDisabled() async throws {
        try await withServersHub { env in
            _ = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            for method in [HTTPRequest.Method.post, .put, .delete] {
                let response = try await env.harness.request(method, "/hub/api/users/alice/servers/nb1", token: token)
                #expect(response.status == 400, "\(method)")
                #expect(response.message == "Named servers are not enabled.", "\(method)")
            }
        }
    }

    @Test("named server names follow JupyterHub 6's slug rules and the per-user limit")
    func namedRules() async throws {
        try await withServersHub(yaml: "JupyterHub: {allow_named_servers: true, named_server_limit_per_user: 2}") { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            for bad in ["Bad_Name", "9lives", "a--b", "ends-", String(repeating: "a", count: 31)] {
                let response = try await env.harness.request(.post, "/hub/api/users/alice/servers/\(bad)", token: token)
                #expect(response.status == 400, "\(bad)")
                #expect(response.message == "Invalid server_name: \(bad)", "\(bad)")
            }
            let badDisplay = try await env.harness.request(.post, "/hub/api/users/alice/servers/nb1", token: token,
                                                           json: .object(["display_name": .string("two  spaces")]))
            #expect(badDisplay.status == 400)
            #expect(badDisplay.message == "Invalid display_name: two  spaces")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb1", token: token,
                                                  json: .object(["display_name": .string("Nötebook 1")])).status == 201)
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb2", token: token).status == 201)
            let third = try await env.harness.request(.post, "/hub/api/users/alice/servers/nb3", token: token)
            #expect(third.status == 400)
            #expect(third.message == "User alice already has the maximum of 2 named servers.  One must be deleted before a new server can be created")
            // The default server does not count, and an existing named server can start again.
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 201)
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/servers/nb1", token: token).status == 204)
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb1", token: token).status == 201)
            let row = try #require(try await env.store.server(userID: alice.id, name: "nb1"))
            #expect(row.displayName == "Nötebook 1")
            #expect(env.hub.servers.routing.embeddedTable?.route(forKey: "/user/alice/nb1")?.json["server_name"] == .string("nb1"))
        }
    }

    @Test("PUT creates a stopped named server (409 if it exists); DELETE with remove deletes the row")
    func createAndRemove() async throws {
        try await withServersHub(yaml: "JupyterHub: {allow_named_servers: true}") { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            let created = try await env.harness.request(.put, "/hub/api/users/alice/servers/nb1", token: token,
                                                        json: .object(["display_name": .string("My notebook"),
                                                                       "user_options": .object(["cpu": .int(2)])]))
            #expect(created.status == 201)
            #expect(created.json?["name"] == .string("nb1"))
            #expect(created.json?["display_name"] == .string("My notebook"))
            #expect(created.json?["full_name"] == .string("alice/nb1"))
            #expect(created.json?["user_options"] == .object(["cpu": .int(2)]))
            #expect(created.json?["stopped"] == .bool(true))
            #expect(created.json?["progress_url"] == .string("/hub/api/users/alice/servers/nb1/progress"))
            let again = try await env.harness.request(.put, "/hub/api/users/alice/servers/nb1", token: token)
            #expect(again.status == 409)
            #expect(again.message == "User alice already has server nb1")

            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb1", token: token).status == 201)
            let removed = try await env.harness.request(.delete, "/hub/api/users/alice/servers/nb1", token: token,
                                                        json: .object(["remove": .bool(true)]))
            #expect(removed.status == 204)
            #expect(try await env.store.server(userID: alice.id, name: "nb1") == nil)
            let missing = try await env.harness.request(.delete, "/hub/api/users/alice/servers/nb1", token: token)
            #expect(missing.status == 404)
            #expect(missing.message == "alice has no server named 'nb1'")
            let defaultRemove = try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token,
                                                              json: .object(["remove": .bool(true)]))
            #expect(defaultRemove.status == 400)
            #expect(defaultRemove.message == "Cannot delete the default server")
            let badBody = try await env.harness.request(.delete, "/hub/api/users/alice/server", token: token,
                                                        json: .object(["remove": .string("yes")]))
            #expect(badBody.status == 400)
        }
    }

    @Test("PATCH renames or relabels a stopped server; active servers and taken names are refused")
    func patch() async throws {
        try await withServersHub(yaml: "JupyterHub: {allow_named_servers: true}") { env in
            let alice = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            #expect(try await env.harness.request(.put, "/hub/api/users/alice/servers/nb1", token: token).status == 201)
            #expect(try await env.harness.request(.put, "/hub/api/users/alice/servers/nb2", token: token).status == 201)
            let empty = try await env.harness.request(.patch, "/hub/api/users/alice/servers/nb1", token: token, json: .object([:]))
            #expect(empty.status == 400)
            #expect(empty.message == "Must specify at least one field to modify.")
            let unknown = try await env.harness.request(.patch, "/hub/api/users/alice/servers/nb1", token: token,
                                                        json: .object(["color": .string("red")]))
            #expect(unknown.status == 400)
            #expect(unknown.message?.hasPrefix("Unexpected fields: color") == true)
            let taken = try await env.harness.request(.patch, "/hub/api/users/alice/servers/nb1", token: token,
                                                      json: .object(["name": .string("nb2")]))
            #expect(taken.status == 409)
            #expect(taken.message == "User alice already has server 'nb2'")
            let renamed = try await env.harness.request(.patch, "/hub/api/users/alice/servers/nb1", token: token,
                                                        json: .object(["name": .string("renamed"), "display_name": .string("Renamed")]))
            #expect(renamed.status == 200)
            #expect(renamed.json?["name"] == .string("renamed"))
            #expect(renamed.json?["display_name"] == .string("Renamed"))
            #expect(try await env.store.server(userID: alice.id, name: "nb1") == nil)
            let missing = try await env.harness.request(.patch, "/hub/api/users/alice/servers/nb1", token: token,
                                                        json: .object(["user_options": .object([:])]))
            #expect(missing.status == 404)

            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb2", token: token).status == 201)
            let active = try await env.harness.request(.patch, "/hub/api/users/alice/servers/nb2", token: token,
                                                       json: .object(["display_name": .string("x")]))
            #expect(active.status == 400)
            #expect(active.message == "alice:nb2 is active. Please stop it before modifying it.")
        }
    }
}

