import Foundation
import HTTPTypes
import Store
import Testing
@testable import Hub

/// Parses a JSON literal for a request body.
private func body(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

private let paginated: HTTPFields = [.accept: "application/jupyterhub-pagination+json"]

@Suite("Groups API: /groups…")
struct GroupsAPITests {
    @Test("listing: bare list of full models by id; offset, limit (0 → 1) and bad values as JupyterHub")
    func list() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            let root = try await h.token(for: "root")
            let empty = try await h.request(.get, "/hub/api/groups", token: root)
            #expect(empty.status == 200 && empty.json == .array([]))
            try await h.createRole("viewer", scopes: ["read:users"])
            try await h.createUser("alice")
            try await h.createGroup("alphaflight", members: ["alice"], roles: ["viewer"])
            try await h.createGroup("betaflight")
            let all = try await h.request(.get, "/hub/api/groups", token: root)
            #expect(all.json == (try body("""
                [{"kind": "group", "name": "alphaflight", "roles": ["viewer"], "users": ["alice"], "properties": {}},
                 {"kind": "group", "name": "betaflight", "roles": [], "users": [], "properties": {}}]
                """)))
            #expect(all.text.hasPrefix(#"[{"kind":"group","name":"alphaflight","roles":["viewer"],"users":["alice"],"properties":{}}"#))
            let names: (String) async throws -> [String] = { query in
                try await h.request(.get, "/hub/api/groups" + query, token: root).json?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            }
            #expect(try await names("?offset=1") == ["betaflight"])
            #expect(try await names("?offset=10") == [])
            #expect(try await names("?limit=1") == ["alphaflight"])
            #expect(try await names("?limit=0") == ["alphaflight"])
            #expect(try await names("?limit=-1&offset=-1") == ["betaflight"])
            let bad = try await h.request(.get, "/hub/api/groups?limit=ten", token: root)
            #expect(bad.status == 400 && bad.json?["message"] == .string("Invalid argument type, offset and limit must be integers"))
        }
    }

    @Test("pagination envelope: total, next with an absolute URL keeping the query, null on the last page")
    func envelope() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            let root = try await h.token(for: "root")
            for i in 1...5 { try await h.createGroup("g\(i)") }
            var headers = paginated
            headers[HTTPField.Name("Host")!] = "hub.example:8081"
            let first = try await h.request(.get, "/hub/api/groups?limit=2&x=a%20b", token: root, headers: headers)
            #expect(first.json?["items"]?.arrayValue?.count == 2)
            let pagination = try #require(first.json?["_pagination"])
            #expect(pagination["offset"] == .int(0) && pagination["limit"] == .int(2) && pagination["total"] == .int(5))
            #expect(pagination["next"]?["offset"] == .int(2) && pagination["next"]?["limit"] == .int(2))
            #expect(pagination["next"]?["url"] == .string("http://hub.example:8081/hub/api/groups?limit=2&x=a+b&offset=2"))
            let last = try await h.request(.get, "/hub/api/groups?offset=4", token: root, headers: headers)
            #expect(last.json?["_pagination"]?["next"] == .null && last.json?["_pagination"]?["limit"] == .int(50))
            #expect(last.json?["items"]?.arrayValue?.count == 1)
            // The media type may be one item of a list; https behind the proxy shows in `next.url`.
            var listed: HTTPFields = [.accept: "application/json, Application/JupyterHub-Pagination+JSON"]
            listed[HTTPField.Name("Host")!] = "hub.example"
            listed[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            let secure = try await h.request(.get, "/hub/api/groups?offset=1&limit=1&offset=3", token: root, headers: listed)
            #expect(secure.json?["_pagination"]?["offset"] == .int(3))
            #expect(secure.json?["_pagination"]?["next"]?["url"] == .string("https://hub.example/hub/api/groups?offset=4&limit=1"))
        }
    }

    @Test("list scope matrix: !group= filters rows (and the total), other filters and missing scopes are 403")
    func listScopes() async throws {
        try await withHub { h in
            try await h.createRole("g1-lister", scopes: ["list:groups!group=g1"])
            try await h.createRole("user-lister", scopes: ["list:groups!user=alice"])
            try await h.createUser("alice", roles: ["g1-lister"])
            try await h.createUser("bob", roles: ["user-lister"])
            for name in ["g1", "g2", "g3"] { try await h.createGroup(name, members: ["alice"]) }
            let alice = try await h.token(for: "alice")
            let r = try await h.request(.get, "/hub/api/groups", token: alice, headers: paginated)
            #expect(r.status == 200)
            // list:groups reveals only names.
            #expect(r.json?["items"] == (try body(#"[{"kind": "group", "name": "g1"}]"#)))
            #expect(r.json?["_pagination"]?["total"] == .int(1))
            let bob = try await h.request(.get, "/hub/api/groups", token: try await h.token(for: "bob"))
            #expect(bob.status == 403 && bob.json?["message"] == .null)
            try await h.createUser("carol")
            let carol = try await h.request(.get, "/hub/api/groups", token: try await h.token(for: "carol"))
            #expect(carol.status == 403 && carol.json?["message"]?.stringValue?.contains("list:groups") == true)
            #expect(try await h.request(.get, "/hub/api/groups").status == 403)
        }
    }

    @Test("one group: fields by scope, 404 for unknown or out-of-filter groups, 403 without any group scope")
    func getOne() async throws {
        try await withHub { h in
            try await h.createRole("namer", scopes: ["read:groups:name"])
            try await h.createRole("role-reader", scopes: ["read:roles:groups!group=g1"])
            try await h.createRole("g2-reader", scopes: ["read:groups!group=g2"])
            try await h.createUser("root", admin: true)
            try await h.createUser("namer", roles: ["namer"])
            try await h.createUser("roles", roles: ["role-reader"])
            try await h.createUser("plain")
            try await h.createService("g2svc", roles: ["g2-reader"])
            try await h.createRole("viewer", scopes: ["read:users"])
            try await h.createGroup("g1", members: ["plain"], roles: ["viewer"])
            let root = try await h.request(.get, "/hub/api/groups/g1", token: try await h.token(for: "root"))
            #expect(root.json == (try body(#"{"kind": "group", "name": "g1", "roles": ["viewer"], "users": ["plain"], "properties": {}}"#)))
            let named = try await h.request(.get, "/hub/api/groups/g1", token: try await h.token(for: "namer"))
            #expect(named.json == (try body(#"{"kind": "group", "name": "g1"}"#)))
            let roles = try await h.request(.get, "/hub/api/groups/g1", token: try await h.token(for: "roles"))
            #expect(roles.json == (try body(#"{"kind": "group", "name": "g1", "roles": ["viewer"]}"#)))
            let service = try await h.serviceToken(for: "g2svc")
            #expect(try await h.request(.get, "/hub/api/groups/g1", token: service).status == 404)
            let unknownFiltered = try await h.request(.get, "/hub/api/groups/g2", token: service)
            #expect(unknownFiltered.status == 404 && unknownFiltered.json?["message"] == .string("No such group: g2"))
            let missing = try await h.request(.get, "/hub/api/groups/nope", token: try await h.token(for: "root"))
            #expect(missing.status == 404 && missing.json?["message"] == .string("No such group: nope"))
            // `plain` is a member, but membership alone gives no group scopes.
            #expect(try await h.request(.get, "/hub/api/groups/g1", token: try await h.token(for: "plain")).status == 403)
        }
    }

    @Test("creating: 201 with members; unknown user 400 and nothing created; 409 if it exists; strict body")
    func create() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("sasquatch")
            let root = try await h.token(for: "root")
            let ghost = try await h.request(.post, "/hub/api/groups/new", token: root, json: try body(#"{"users": ["doesntexist"]}"#))
            #expect(ghost.status == 400 && ghost.json?["message"] == .string("No such user: doesntexist"))
            #expect(try await h.store.group(named: "new") == nil)
            let made = try await h.request(.post, "/hub/api/groups/omegaflight", token: root, json: try body(#"{"users": ["sasquatch"]}"#))
            #expect(made.status == 201)
            #expect(made.json == (try body(#"{"kind": "group", "name": "omegaflight", "roles": [], "users": ["sasquatch"], "properties": {}}"#)))
            let again = try await h.request(.post, "/hub/api/groups/omegaflight", token: root)
            #expect(again.status == 409 && again.json?["message"] == .string("Group omegaflight already exists"))
            let empty = try await h.request(.post, "/hub/api/groups/bare", token: root)
            #expect(empty.status == 201 && empty.json?["users"] == .array([]))
            for (json, field) in [(#"{"users": "x"}"#, "users"), (#"{"members": []}"#, "members"), (#"{"roles": ["admin"]}"#, "roles"),
                                  (#"{"name": "other"}"#, "name"), (#"{"properties": {}}"#, "properties")] {
                let r = try await h.request(.post, "/hub/api/groups/typo", token: root, json: try body(json))
                #expect(r.status == 400 && r.json?["message"]?.stringValue?.contains(field) == true, "\(json): \(r.text)")
            }
            #expect(try await h.store.group(named: "typo") == nil)
        }
    }

    @Test("creating needs admin:groups: users get 403, a group-filtered grant creates only its group (404 elsewhere)")
    func createScopes() async throws {
        try await withHub { h in
            try await h.createRole("team-admin", scopes: ["admin:groups!group=team"])
            try await h.createUser("lead", roles: ["team-admin"])
            try await h.createUser("plain")
            let lead = try await h.token(for: "lead")
            #expect(try await h.request(.post, "/hub/api/groups/team", token: lead).status == 201)
            #expect(try await h.request(.post, "/hub/api/groups/other", token: lead).status == 404)
            let plain = try await h.request(.post, "/hub/api/groups/x", token: try await h.token(for: "plain"))
            #expect(plain.status == 403)
            // Bulk creation names no single group: a filtered grant is not enough.
            #expect(try await h.request(.post, "/hub/api/groups", token: lead, json: try body(#"{"groups": ["team2"]}"#)).status == 403)
        }
    }

    @Test("bulk creation: 201 list with shared members; all or nothing on 409; 400 without groups")
    func createMany() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let root = try await h.token(for: "root")
            let made = try await h.request(.post, "/hub/api/groups", token: root, json: try body(#"{"groups": ["a1", "a2"], "users": ["alice"]}"#))
            #expect(made.status == 201)
            #expect(made.json?.arrayValue?.map { $0["name"] } == [.string("a1"), .string("a2")])
            #expect(made.json?.arrayValue?.allSatisfy { $0["users"] == .array([.string("alice")]) } == true)
            let clash = try await h.request(.post, "/hub/api/groups", token: root, json: try body(#"{"groups": ["b1", "a2"]}"#))
            #expect(clash.status == 409 && clash.json?["message"] == .string("Group a2 already exists"))
            #expect(try await h.store.group(named: "b1") == nil)
            for json in [#"{}"#, #"{"groups": []}"#, #"{"users": ["alice"]}"#] {
                let r = try await h.request(.post, "/hub/api/groups", token: root, json: try body(json))
                #expect(r.status == 400 && r.json?["message"] == .string("Must specify at least one group to create"), "\(json)")
            }
            #expect(try await h.request(.post, "/hub/api/groups", token: root).status == 400)
        }
    }

    @Test("deleting: 204, then 404; members lose the group's roles at once")
    func delete() async throws {
        try await withHub { h in
            try await h.createRole("viewer", scopes: ["read:users"])
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.createUser("bob")
            try await h.createGroup("viewers", members: ["alice"], roles: ["viewer"])
            let root = try await h.token(for: "root")
            let alice = try await h.token(for: "alice")
            #expect(try await h.request(.get, "/hub/api/user", token: alice).json?["scopes"]?.arrayValue?.contains(.string("read:users")) == true)
            let r = try await h.request(.delete, "/hub/api/groups/viewers", token: root)
            #expect(r.status == 204 && r.body.isEmpty)
            #expect(try await h.request(.get, "/hub/api/user", token: alice).json?["scopes"]?.arrayValue?.contains(.string("read:users")) == false)
            let gone = try await h.request(.delete, "/hub/api/groups/viewers", token: root)
            #expect(gone.status == 404 && gone.json?["message"] == .string("No such group: viewers"))
            // delete:groups is needed; `groups` (member management) is not enough.
            try await h.createRole("member-admin", scopes: ["groups"])
            try await h.createUser("manager", roles: ["member-admin"])
            try await h.createGroup("keep")
            #expect(try await h.request(.delete, "/hub/api/groups/keep", token: try await h.token(for: "manager")).status == 403)
        }
    }
}
