import Testing
@testable import Hub

@Suite("Sharing scope matrix: no escalation, 404 for others' resources, 403 for unheld scopes")
struct SharesScopeMatrixTests {
    @Test("who may list alice's shares: self (read:shares via self), admin, narrow service, filtered tokens")
    func listMatrix() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture(groups: ["staff": ["alice"]])
            try await h.createRole("share-reader", scopes: ["read:shares"])
            try await h.createService("auditor", roles: ["share-reader"])
            let service = try await h.serviceToken(for: "auditor")
            let userFiltered = try await h.token(for: "root", scopes: ["read:shares!user=alice"])
            let groupFiltered = try await h.token(for: "root", scopes: ["read:shares!group=staff"])
            let serverFiltered = try await h.token(for: "root", scopes: ["read:shares!server=alice/nb1"])
            let cases: [(String, String, Int)] = [
                (t.alice, "/hub/api/shares/alice", 200),
                (t.bob, "/hub/api/shares/alice", 404),      // bob holds read:shares only for himself
                (t.admin, "/hub/api/shares/alice", 200),
                (service, "/hub/api/shares/alice", 200),
                (userFiltered, "/hub/api/shares/alice", 200),
                (userFiltered, "/hub/api/shares/bob", 404),
                (groupFiltered, "/hub/api/shares/alice", 200),
                (groupFiltered, "/hub/api/shares/bob", 404),
                (serverFiltered, "/hub/api/shares/alice/nb1", 200),
                (serverFiltered, "/hub/api/shares/alice", 404),  // a server grant does not cover the whole owner
            ]
            for (token, path, status) in cases {
                #expect(try await h.request(.get, path, token: token).status == status, "\(path)")
            }
            let anonymous = try await h.request(.get, "/hub/api/shares/alice")
            #expect(anonymous.status == 403 && anonymous.json?["message"] == .string("Missing or invalid credentials."))
        }
    }

    @Test("granting needs `shares` on the server, name-reading scopes for the grantee, and every granted scope")
    func grantMatrix() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let body: JSONValue = .object(["user": .string("bob")])
            // bob holds no `shares` at all → 403 naming the scope.
            let bob = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.bob, json: body)
            #expect(bob.status == 403 && bob.json?["message"]?.stringValue?.contains("shares") == true)
            // `self` alone does not include `shares` (JupyterHub: sharing must be enabled by a role).
            try await h.createUser("dave")
            let dave = try await h.token(for: "dave")
            _ = try await h.store.createServer(.init(userID: try #require(try await h.store.user(named: "dave")).id))
            #expect(try await h.request(.post, "/hub/api/shares/dave/", token: dave, json: body).status == 403)
            // A sharer acting on someone else's server: scope held only for herself → 404.
            #expect(try await h.request(.post, "/hub/api/shares/dave/", token: t.alice, json: body).status == 404)
            // Without read:users:name on the grantee → 403.
            try await h.createRole("bare-sharer", scopes: ["shares!user"])
            try await h.createUser("erin", roles: ["bare-sharer"])
            _ = try await h.store.createServer(.init(userID: try #require(try await h.store.user(named: "erin")).id))
            let erin = try await h.request(.post, "/hub/api/shares/erin/", token: try await h.token(for: "erin"), json: body)
            #expect(erin.status == 403)
            #expect(erin.json?["message"] == .string("Need scope 'read:users:name' to share with users by name"))
            let erinGroup = try await h.request(.post, "/hub/api/shares/erin/", token: try await h.token(for: "erin"),
                                                json: .object(["group": .string("x")]))
            #expect(erinGroup.json?["message"] == .string("Need scope 'read:groups:name' to share with groups by name"))
            // No escalation: alice cannot hand out a scope she does not hold on her own server.
            let escalate = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice,
                                               json: .object(["user": .string("bob"), "scopes": .array([.string("admin:server_state")])]))
            #expect(escalate.status == 403)
            #expect(escalate.json?["message"] == .string("Do not have permission to grant share with scope admin:server_state!server=alice/nb1"))
            // A token narrowed to one server shares that server only.
            let narrow = try await h.token(for: "alice", scopes: ["shares!server=alice/nb1", "read:users:name"])
            #expect(try await h.request(.post, "/hub/api/shares/alice/nb1", token: narrow, json: body).status == 200)
            #expect(try await h.request(.post, "/hub/api/shares/alice/", token: narrow, json: body).status == 404)
            // Admin may share anyone's server.
            #expect(try await h.request(.post, "/hub/api/shares/dave/", token: t.admin, json: body).status == 200)
        }
    }

    @Test("a shared user cannot re-share or manage the server they were given")
    func granteeCannotEscalate() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            _ = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice,
                                    json: .object(["user": .string("bob"), "scopes": .array([.string("access:servers"), .string("read:servers")])]))
            let reshare = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.bob, json: .object(["user": .string("carol")]))
            #expect(reshare.status == 403)
            #expect(try await h.request(.delete, "/hub/api/shares/alice/nb1", token: t.bob).status == 403)
            #expect(try await h.request(.get, "/hub/api/shares/alice/nb1", token: t.bob).status == 404)
        }
    }
}
