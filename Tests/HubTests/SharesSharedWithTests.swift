import Testing
@testable import Hub

@Suite("/users/{name}/shared and /groups/{name}/shared")
struct SharesSharedWithTests {
    /// alice shares nb1 with bob directly and her default server with group staff (bob ∈ staff).
    func fixture(_ h: HubHarness) async throws -> (alice: String, bob: String, admin: String) {
        let t = try await h.sharingFixture(groups: ["staff": ["bob"]])
        #expect(try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("bob")])).status == 200)
        #expect(try await h.request(.post, "/hub/api/shares/alice/", token: t.alice, json: .object(["group": .string("staff")])).status == 200)
        return t
    }

    @Test("a user's list includes shares through groups; a group's list only its own")
    func lists() async throws {
        try await withHub { h in
            let t = try await fixture(h)
            let mine = try await h.request(.get, "/hub/api/users/bob/shared", token: t.bob)
            #expect(mine.status == 200)
            let kinds = mine.json?["items"]?.arrayValue?.map { $0["kind"] }
            #expect(kinds == [.string("user"), .string("group")])
            #expect(mine.json?["_pagination"]?["total"] == .int(2))
            let group = try await h.request(.get, "/hub/api/groups/staff/shared", token: t.admin)
            #expect(group.json?["items"]?.arrayValue?.map { $0["server"]?["url"] } == [.string("/user/alice/")])
            #expect(try await h.request(.get, "/hub/api/users/ghost/shared", token: t.admin).status == 404)
            let noGroup = try await h.request(.get, "/hub/api/groups/ghost/shared", token: t.admin)
            #expect(noGroup.status == 404 && noGroup.json?["message"] == .string("No such group: ghost"))
        }
    }

    @Test("scope matrix: self, other user (404), admin, filtered tokens, groups:shares holders, no credentials (403)")
    func matrix() async throws {
        try await withHub { h in
            let t = try await fixture(h)
            let carol = try await h.token(for: "carol")
            try await h.createRole("staff-share-reader", scopes: ["read:groups:shares!group=staff"])
            try await h.createService("portal", roles: ["staff-share-reader"])
            let portal = try await h.serviceToken(for: "portal")
            let byGroup = try await h.token(for: "root", scopes: ["read:users:shares!group=staff"])
            let cases: [(String?, String, Int)] = [
                (t.bob, "/hub/api/users/bob/shared", 200),
                (carol, "/hub/api/users/bob/shared", 404),
                (t.admin, "/hub/api/users/bob/shared", 200),
                (byGroup, "/hub/api/users/bob/shared", 200),
                (byGroup, "/hub/api/users/carol/shared", 404),
                (portal, "/hub/api/groups/staff/shared", 200),
                (portal, "/hub/api/users/bob/shared", 403),
                (t.bob, "/hub/api/groups/staff/shared", 403),
                (nil, "/hub/api/users/bob/shared", 403),
            ]
            for (token, path, status) in cases {
                #expect(try await h.request(.get, path, token: token).status == status, "\(path)")
            }
        }
    }

    @Test("one share: GET the model, DELETE to leave it (204); a trailing slash names the default server")
    func single() async throws {
        try await withHub { h in
            let t = try await fixture(h)
            let one = try await h.request(.get, "/hub/api/users/bob/shared/alice/nb1", token: t.bob)
            #expect(one.status == 200 && one.json?["user"]?["name"] == .string("bob"))
            let noSlash = try await h.request(.get, "/hub/api/users/bob/shared/alice", token: t.bob)
            #expect(noSlash.status == 404)
            // bob's default-server access comes through the group: not a share *of bob*.
            let viaGroup = try await h.request(.get, "/hub/api/users/bob/shared/alice/", token: t.bob)
            #expect(viaGroup.status == 404)
            #expect(viaGroup.json?["message"] == .string("No such share for user bob on alice/"))
            let groupShare = try await h.request(.get, "/hub/api/groups/staff/shared/alice/", token: t.admin)
            #expect(groupShare.status == 200 && groupShare.json?["group"]?["name"] == .string("staff"))
            #expect(try await h.scopes(of: t.bob).contains("access:servers!server=alice/nb1"))
            let leave = try await h.request(.delete, "/hub/api/users/bob/shared/alice/nb1", token: t.bob)
            #expect(leave.status == 204)
            #expect(try await !h.scopes(of: t.bob).contains("access:servers!server=alice/nb1"))
            #expect(try await h.request(.get, "/hub/api/users/bob/shared/alice/nb1", token: t.bob).status == 404)
            #expect(try await h.request(.delete, "/hub/api/users/bob/shared/alice/nb1", token: try await h.token(for: "carol")).status == 404)
            // bob cannot remove the group's share (needs groups:shares); admin can.
            #expect(try await h.request(.delete, "/hub/api/groups/staff/shared/alice/", token: t.bob).status == 403)
            #expect(try await h.request(.delete, "/hub/api/groups/staff/shared/alice/", token: t.admin).status == 204)
            #expect(try await h.request(.get, "/hub/api/groups/staff/shared", token: t.admin).json?["items"] == .array([]))
        }
    }
}
