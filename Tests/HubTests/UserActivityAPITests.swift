import Foundation
import Store
import Testing
@testable import Hub

/// An ISO timestamp `seconds` from now.
private func iso(_ seconds: Int64) -> String { ISOTimestamp.format(Timestamp.now().adding(seconds: seconds)) }

private func report(_ user: String? = nil, servers: [String: String] = [:]) -> JSONValue {
    var body: [String: JSONValue] = [:]
    if let user { body["last_activity"] = .string(user) }
    if !servers.isEmpty {
        body["servers"] = .object(servers.mapValues { .object(["last_activity": .string($0)]) })
    }
    return .object(body)
}

@Suite("POST /users/{name}/activity")
struct UserActivityAPITests {
    @Test("200 with an empty JSON answer; the report is visible at once and durable after the flush")
    func visibleThenDurable() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let server = try await h.addServer("alice")
            let t = try await h.token(for: "root")
            let when = "2026-11-24T19:26:45.072605Z"
            let r = try await h.request(.post, "/hub/api/users/alice/activity", token: t, json: report(when, servers: ["": when]))
            #expect(r.status == 200)
            #expect(r.body.isEmpty)
            #expect(r.header("Content-Type") == "application/json")
            let model = try await h.request(.get, "/hub/api/users/alice", token: t)
            #expect(model.json?["last_activity"] == .string(when))
            #expect(model.json?["servers"]?[""]?["last_activity"] == .string(when))
            let listed = try await h.request(.get, "/hub/api/users", token: t)
            #expect(listed.json?.arrayValue?[1]["last_activity"] == .string(when))
            await h.hub.reportedActivity.flush()
            #expect(h.hub.reportedActivity.isEmpty)
            #expect(try await h.store.user(named: "alice")?.lastActivity.map(ISOTimestamp.format) == when)
            #expect(try await h.store.server(id: server.id)?.lastActivity.map(ISOTimestamp.format) == when)
        }
    }

    @Test("values only move forward: an older report is accepted and ignored")
    func onlyForward() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            let newer = "2026-11-24T19:00:00Z", older = "2026-11-24T18:00:00Z"
            #expect(try await h.request(.post, "/hub/api/users/alice/activity", token: t, json: report(newer)).status == 200)
            await h.hub.reportedActivity.flush()
            #expect(try await h.request(.post, "/hub/api/users/alice/activity", token: t, json: report(older)).status == 200)
            #expect(try await h.request(.get, "/hub/api/users/alice", token: t).json?["last_activity"] == .string(newer))
            await h.hub.reportedActivity.flush()
            #expect(try await h.store.user(named: "alice")?.lastActivity.map(ISOTimestamp.format) == newer)
        }
    }

    @Test("the default server is always known; a named server must exist; offsets are converted to UTC")
    func servers() async throws {
        try await withHub(yaml: "JupyterHub:\n  allow_named_servers: true\n") { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let nb = try await h.addServer("alice", name: "nb1")
            let t = try await h.token(for: "root")
            let ok = try await h.request(.post, "/hub/api/users/alice/activity", token: t,
                                         json: report(servers: ["": "2026-11-24T20:00:00+01:00", "nb1": "2026-11-24T19:30:00Z"]))
            #expect(ok.status == 200)
            await h.hub.reportedActivity.flush()
            #expect(try await h.store.server(id: nb.id)?.lastActivity.map(ISOTimestamp.format) == "2026-11-24T19:30:00Z")
            #expect(try await h.store.user(named: "alice")?.lastActivity.map(ISOTimestamp.format) == "2026-11-24T19:30:00Z")
            let unknown = try await h.request(.post, "/hub/api/users/alice/activity", token: t, json: report(servers: ["gpu": iso(0)]))
            #expect(unknown.status == 400)
            #expect(unknown.json?.message == "No such server 'gpu' for user alice")
        }
    }

    @Test("bad bodies are 400 with JupyterHub's messages")
    func badBodies() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            func post(_ body: JSONValue?) async throws -> HarnessResponse {
                try await h.request(.post, "/hub/api/users/alice/activity", token: t, json: body)
            }
            let shape = "servers must be a dict of the form {server_name: {last_activity: timestamp}}"
            #expect(try await post(nil).json?.message == "body must be a json dict")
            #expect(try await post(.array([])).json?.message == "body must be a json dict")
            #expect(try await post(.object([:])).json?.message == "body must contain at least one of `last_activity` or `servers`")
            #expect(try await post(.object(["last_activity": .string(""), "servers": .object([:])])).status == 400)
            #expect(try await post(.object(["servers": .array([.int(1)])])).json?.message == shape)
            #expect(try await post(.object(["servers": .object(["": .object([:])])])).json?.message == shape)
            #expect(try await post(.object(["servers": .object(["": .string("now")])])).json?.message == shape)
            #expect(try await post(report("yesterday")).json?.message == "Not a valid timestamp: 'yesterday'")
            #expect(try await post(.object(["last_activity": .int(5)])).json?.message == "Not a valid timestamp: 5")
            let future = try await post(report(iso(60 * 60)))
            #expect(future.status == 400)
            #expect(future.json?.message?.hasPrefix("Rejecting activity from more than an hour in the future: ") == true)
            #expect(try await post(report(iso(58 * 60))).status == 200)
            #expect(try await post(report(servers: ["": iso(2 * 3600)])).status == 400)
        }
    }

    @Test("scopes: a server's users:activity!user= token reports for its user only; 403 without the scope; 404 unknown user")
    func scopes() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.createUser("bob", groups: ["g"])
            let server = try await h.token(for: "alice", scopes: ["users:activity!user=alice"], note: "Server at /user/alice/")
            #expect(try await h.request(.post, "/hub/api/users/alice/activity", token: server, json: report(iso(0))).status == 200)
            #expect(try await h.request(.post, "/hub/api/users/bob/activity", token: server, json: report(iso(0))).status == 404)
            let reader = try await h.token(for: "root", scopes: ["read:users"])
            let refused = try await h.request(.post, "/hub/api/users/alice/activity", token: reader, json: report(iso(0)))
            #expect(refused.status == 403)
            #expect(refused.json?.message?.contains("users:activity") == true)
            try await h.createRole("group-activity", scopes: ["users:activity!group=g"])
            try await h.createService("svc", roles: ["group-activity"])
            let svc = try await h.serviceToken(for: "svc")
            #expect(try await h.request(.post, "/hub/api/users/bob/activity", token: svc, json: report(iso(0))).status == 200)
            #expect(try await h.request(.post, "/hub/api/users/alice/activity", token: svc, json: report(iso(0))).status == 404)
            let root = try await h.token(for: "root")
            let ghost = try await h.request(.post, "/hub/api/users/ghost/activity", token: root, json: report(iso(0)))
            #expect(ghost.status == 404)
            #expect(ghost.json?.message == "No such user: 'ghost'")
            #expect(try await h.request(.post, "/hub/api/users/alice/activity", json: report(iso(0))).status == 403)
        }
    }

    @Test("stop() writes held reports to the database file")
    func heldUntilWritten() async throws {
        let harness = try await HubHarness(databaseFile: true)
        try await harness.createUser("root", admin: true)
        let alice = try await harness.createUser("alice")
        let t = try await harness.token(for: "root")
        let when = "2026-11-24T19:26:45Z"
        #expect(try await harness.request(.post, "/hub/api/users/alice/activity", token: t, json: report(when)).status == 200)
        await harness.hub.stop()
        #expect(try await harness.store.user(id: alice.id)?.lastActivity.map(ISOTimestamp.format) == when)
        await harness.close()
    }
}

@Suite("Activity timestamps and the held-report buffer")
struct ActivityUnitTests {
    @Test("ISO 8601 forms single-user servers and clients send", arguments: [
        ("2026-11-24T19:26:45.072605Z", "2026-11-24T19:26:45.072605Z"),
        ("2026-11-24T19:26:45Z", "2026-11-24T19:26:45Z"),
        ("2026-11-24T19:26:45.1234567+00:00", "2026-11-24T19:26:45.123456Z"),
        ("2026-11-24T21:26:45+02:00", "2026-11-24T19:26:45Z"),
        ("2026-11-24T14:26:45-0500", "2026-11-24T19:26:45Z"),
        ("2026-11-24 19:26:45", "2026-11-24T19:26:45Z"),
        ("2026-11-24T19:26", "2026-11-24T19:26:00Z"),
        ("2024-02-29", "2024-02-29T00:00:00Z"),
    ])
    func parses(input: String, expected: String) {
        #expect(ActivityTimestamp.parse(input).map(ISOTimestamp.format) == expected)
    }

    @Test("garbage and impossible dates are refused", arguments: [
        "", "now", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T19:26:45.Z",
        "2026-11-24T19:26:45Q", "2026-11-24T19:26:45+25:00", "20261124T192645Z", "2026-11-24T19:26:45Z trailing",
    ])
    func refuses(input: String) {
        #expect(ActivityTimestamp.parse(input) == nil)
    }

    @Test("a report newer than the one being written stays held after the flush")
    func supersededDuringFlush() async throws {
        let store = try Store.inMemory()
        let user = try await store.createUser(NewUser(name: "alice"))
        let buffer = ReportedActivity(store: store, logger: .init(label: "test"))
        buffer.report(user: user.id, at: Timestamp(microsecondsSinceEpoch: 1_000_000), servers: [])
        buffer.report(user: user.id, at: Timestamp(microsecondsSinceEpoch: 500_000), servers: [])
        #expect(buffer.userTime(user.id) == Timestamp(microsecondsSinceEpoch: 1_000_000))
        await buffer.flush()
        #expect(buffer.isEmpty)
        buffer.report(user: user.id, at: Timestamp(microsecondsSinceEpoch: 3_000_000), servers: [])
        #expect(try await store.user(id: user.id)?.lastActivity == Timestamp(microsecondsSinceEpoch: 1_000_000))
        var snapshot = UserSnapshot(user: try #require(try await store.user(id: user.id)), groups: [], roles: [], servers: [])
        buffer.apply(to: &snapshot)
        #expect(snapshot.user.lastActivity == Timestamp(microsecondsSinceEpoch: 3_000_000))
    }
}
