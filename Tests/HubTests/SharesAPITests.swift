import Auth
import HTTP
import HTTPTypes
import Store
import Testing
@testable import Hub

/// Fixtures shared by the sharing tests: alice owns `nb1` (and a default server row), may share
/// (`shares!user` plus the name-reading scopes JupyterHub's docs pair it with); bob and carol are users.
extension HubHarness {
    static let sharerScopes = ["shares!user", "read:users:name", "read:groups:name"]

    @discardableResult
    func sharingFixture(groups: [String: [String]] = [:]) async throws -> (alice: String, bob: String, admin: String) {
        try await createRole("sharer", scopes: Self.sharerScopes)
        let alice = try await createUser("alice", roles: ["sharer"])
        try await createUser("bob")
        try await createUser("carol")
        try await createUser("root", admin: true)
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) { try await createGroup(group, members: members) }
        _ = try await store.createServer(NewServer(userID: alice.id, name: "nb1"))
        return (try await token(for: "alice"), try await token(for: "bob"), try await token(for: "root"))
    }

    /// The caller's scopes as `GET /user` reports them.
    func scopes(of token: String) async throws -> [String] {
        try await request(.get, "/hub/api/user", token: token).json?["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

@Suite("POST/PATCH/DELETE /shares/{owner}/{server}")
struct SharesAPITests {
    @Test("granting with no scopes shares access to the server; the model is exactly JupyterHub's")
    func grantDefault() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let r = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("bob")]))
            #expect(r.status == 200)
            let m = try #require(r.json?.objectValue)
            #expect(Set(m.keys) == ["server", "scopes", "user", "group", "kind", "created_at"])
            #expect(m["server"] == .object(["user": .object(["name": .string("alice")]), "name": .string("nb1"),
                                            "url": .string("/user/alice/nb1/"), "full_url": .null, "ready": .bool(false)]))
            #expect(m["scopes"] == .array([.string("access:servers!server=alice/nb1")]))
            #expect(m["user"] == .object(["name": .string("bob")]))
            #expect(m["group"] == .null)
            #expect(m["kind"] == .string("user"))
            #expect(m["created_at"]?.stringValue?.hasSuffix("Z") == true)
        }
    }

    @Test("a second grant merges scopes (sorted, unique) and keeps created_at")
    func grantMerges() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let first = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("bob")]))
            let second = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice,
                                             json: .object(["user": .string("bob"), "scopes": .array([.string("read:servers"), .string("access:servers!server=alice/nb1")])]))
            #expect(second.status == 200)
            #expect(second.json?["scopes"] == .array([.string("access:servers!server=alice/nb1"), .string("read:servers!server=alice/nb1")]))
            #expect(second.json?["created_at"] == first.json?["created_at"])
        }
    }

    @Test("the default server is addressed with a trailing slash and its row is created on first share")
    func defaultServer() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let r = try await h.request(.post, "/hub/api/shares/alice/", token: t.alice, json: .object(["user": .string("bob")]))
            #expect(r.status == 200)
            #expect(r.json?["scopes"] == .array([.string("access:servers!server=alice/")]))
            #expect(r.json?["server"]?["url"] == .string("/user/alice/"))
            let list = try await h.request(.get, "/hub/api/shares/alice/", token: t.alice)
            #expect(list.json?["items"]?.arrayValue?.count == 1)
            let wrong = try await h.request(.post, "/hub/api/shares/alice", token: t.alice, json: .object(["user": .string("bob")]))
            #expect(wrong.status == 405)
        }
    }

    @Test("bad bodies are 400 with the reason; a missing server is 404")
    func badRequests() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture(groups: ["staff": ["bob"]])
            let cases: [(JSONValue, String)] = [
                (.object(["user": .string("bob"), "group": .string("staff")]), "not both"),
                (.object([:]), "exactly one"),
                (.object(["user": .string("bob"), "expires_in": .int(60)]), "Unexpected field 'expires_in'"),
                (.object(["user": .int(3)]), "Field 'user' must be a string"),
                (.object(["user": .string("bob"), "scopes": .string("x")]), "Field 'scopes' must be a list"),
                (.object(["user": .string("bob"), "scopes": .array([.string("read:servers!user=alice")])]), "not allowed on sharing"),
                (.object(["user": .string("bob"), "scopes": .array([.string("no:such")])]), "does not exist"),
                (.object(["user": .string("nobody")]), "No such user: nobody"),
                (.object(["group": .string("nogroup")]), "No such group: nogroup"),
            ]
            for (body, message) in cases {
                let r = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: body)
                #expect(r.status == 400, "\(body.jsonText)")
                #expect(r.json?["message"]?.stringValue?.contains(message) == true, "\(body.jsonText): \(r.text)")
            }
            let missing = try await h.request(.post, "/hub/api/shares/alice/nope", token: t.alice, json: .object(["user": .string("bob")]))
            #expect(missing.status == 404)
            #expect(missing.json?["message"] == .string("No such server: alice/nope"))
            let noOwner = try await h.request(.post, "/hub/api/shares/ghost/x", token: t.admin, json: .object(["user": .string("bob")]))
            #expect(noOwner.status == 404)
        }
    }

    @Test("PATCH revokes the named scopes, returns {} once none remain, and {} for unknown grantees")
    func revoke() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            _ = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice,
                                    json: .object(["user": .string("bob"), "scopes": .array([.string("access:servers"), .string("read:servers")])]))
            let partial = try await h.request(.patch, "/hub/api/shares/alice/nb1", token: t.alice,
                                              json: .object(["user": .string("bob"), "scopes": .array([.string("read:servers")])]))
            #expect(partial.status == 200)
            #expect(partial.json?["scopes"] == .array([.string("access:servers!server=alice/nb1")]))
            let unchanged = try await h.request(.patch, "/hub/api/shares/alice/nb1", token: t.alice,
                                                json: .object(["user": .string("bob"), "scopes": .array([.string("read:servers!server=carol/")])]))
            #expect(unchanged.json?["scopes"] == .array([.string("access:servers!server=alice/nb1")]))
            let gone = try await h.request(.patch, "/hub/api/shares/alice/nb1", token: t.alice,
                                           json: .object(["user": .string("bob"), "scopes": .array([.string("access:servers!server=alice/nb1")])]))
            #expect(gone.status == 200 && gone.json == .object([:]))
            let ghost = try await h.request(.patch, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("ghost")]))
            #expect(ghost.status == 200 && ghost.json == .object([:]))
            let list = try await h.request(.get, "/hub/api/shares/alice/nb1", token: t.alice)
            #expect(list.json?["items"] == .array([]))
        }
    }

    @Test("DELETE removes every share of the server (204) and the grantees lose access at once")
    func deleteAll() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture(groups: ["staff": ["carol"]])
            _ = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("bob")]))
            _ = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["group": .string("staff")]))
            #expect(try await h.scopes(of: t.bob).contains("access:servers!server=alice/nb1"))
            let r = try await h.request(.delete, "/hub/api/shares/alice/nb1", token: t.alice)
            #expect(r.status == 204 && r.body.isEmpty)
            #expect(try await !h.scopes(of: t.bob).contains("access:servers!server=alice/nb1"))
            let list = try await h.request(.get, "/hub/api/shares/alice", token: t.alice)
            #expect(list.json?["_pagination"]?["total"] == .int(0))
            let missing = try await h.request(.delete, "/hub/api/shares/alice/nope", token: t.alice)
            #expect(missing.status == 404)
        }
    }

    @Test("a share feeds the grantee's scopes: bob's token gains access to alice/nb1 and loses it on revoke")
    func effectiveScopes() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            #expect(try await !h.scopes(of: t.bob).contains("access:servers!server=alice/nb1"))
            _ = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("bob")]))
            #expect(try await h.scopes(of: t.bob).contains("access:servers!server=alice/nb1"))
            _ = try await h.request(.patch, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("bob")]))
            #expect(try await !h.scopes(of: t.bob).contains("access:servers!server=alice/nb1"))
        }
    }
}
