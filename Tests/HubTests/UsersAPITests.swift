import Store
import Testing
@testable import Hub

@Suite("GET /users: filters, sort, pagination and list scopes")
struct UsersListTests {
    @Test("an admin lists every user in id order with the full model")
    func fullList() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice", groups: ["staff"])
            try await h.createUser("bob")
            let t = try await h.token(for: "root")
            let r = try await h.request(.get, "/hub/api/users", token: t)
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "application/json")
            let list = try #require(r.json)
            #expect(list.names == ["root", "alice", "bob"])
            let alice = try #require(list.arrayValue?[1])
            #expect(alice.keys == ["admin", "auth_state", "created", "groups", "kind", "last_activity", "name", "pending",
                                   "roles", "server", "servers", "user_info"])
            #expect(alice["groups"] == .array([.string("staff")]))
            #expect(alice["roles"] == .array([.string("user")]))
            #expect(alice["auth_state"] == .null)
            #expect(alice["servers"] == .object([:]))
            #expect(list.arrayValue?[0]["roles"] == .array([.string("user"), .string("admin")]))
        }
    }

    @Test("the pagination envelope: offset, limit, total and an absolute next URL keeping every parameter")
    func envelope() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            for i in 0..<6 { try await h.createUser("user\(i)") }
            let t = try await h.token(for: "root")
            let r = try await h.request(.get, "/hub/api/users?name_filter=user&limit=2&offset=1&include_stopped_servers",
                                        token: t, headers: [.accept: "application/json, \(PageParameters.mediaType)", .init("Host")!: "hub.example:8081"])
            #expect(r.status == 200)
            let body = try #require(r.json)
            #expect(body["items"]?.names == ["user1", "user2"])
            let p = try #require(body["_pagination"])
            #expect(p["offset"] == .int(1))
            #expect(p["limit"] == .int(2))
            #expect(p["total"] == .int(6))
            #expect(p["next"]?["offset"] == .int(3))
            #expect(p["next"]?["url"] == .string(
                "http://hub.example:8081/hub/api/users?name_filter=user&limit=2&offset=3&include_stopped_servers="))
            let last = try await h.paged("/hub/api/users?offset=5&limit=2", token: t)
            #expect(last.json?["_pagination"]?["next"] == .null)
            #expect(last.json?["items"]?.names == ["user4", "user5"])
            let defaults = try await h.paged("/hub/api/users", token: t)
            #expect(defaults.json?["_pagination"]?["limit"] == .int(50))
            #expect(defaults.json?["_pagination"]?["offset"] == .int(0))
        }
    }

    @Test("limit is clamped to 1…200 and taken as absolute; offset too; non-integers are 400")
    func clamping() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.createUser("bob")
            let t = try await h.token(for: "root")
            #expect(try await h.paged("/hub/api/users?limit=0", token: t).json?["_pagination"]?["limit"] == .int(1))
            #expect(try await h.paged("/hub/api/users?limit=5000", token: t).json?["_pagination"]?["limit"] == .int(200))
            #expect(try await h.paged("/hub/api/users?limit=-2", token: t).json?["_pagination"]?["limit"] == .int(2))
            let negative = try await h.paged("/hub/api/users?offset=-1&limit=1", token: t)
            #expect(negative.json?["items"]?.names == ["alice"])
            for bad in ["limit=ten", "offset=1.5", "limit="] {
                let r = try await h.request(.get, "/hub/api/users?\(bad)", token: t)
                #expect(r.status == 400)
                #expect(r.json?.message == "Invalid argument type, offset and limit must be integers")
            }
        }
    }

    @Test("without the pagination header the list is a plain array of at most 200 users")
    func truncatedPlainList() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            _ = try await h.store.createUsers((0..<205).map { NewUser(name: "u\($0)") })
            let t = try await h.token(for: "root")
            let r = try await h.request(.get, "/hub/api/users", token: t)
            #expect(r.json?.arrayValue?.count == 200)
            let page = try await h.request(.get, "/hub/api/users?offset=200", token: t)
            #expect(page.json?.arrayValue?.count == 6)
        }
    }

    @Test("state=active|ready|inactive select by server state; unknown states are 400")
    func stateFilter() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("running")
            try await h.createUser("starting")
            try await h.createUser("stopped")
            try await h.addServer("running")
            try await h.addServer("starting", ready: false, pending: .spawn)
            try await h.addServer("stopped", ready: false)
            let t = try await h.token(for: "root")
            #expect(try await h.request(.get, "/hub/api/users?state=active", token: t).json?.names == ["running", "starting"])
            #expect(try await h.request(.get, "/hub/api/users?state=ready", token: t).json?.names == ["running"])
            #expect(try await h.request(.get, "/hub/api/users?state=inactive", token: t).json?.names == ["root", "stopped"])
            let ready = try await h.paged("/hub/api/users?state=ready", token: t)
            #expect(ready.json?["_pagination"]?["total"] == .int(1))
            let bad = try await h.request(.get, "/hub/api/users?state=running", token: t)
            #expect(bad.status == 400)
            #expect(bad.json?.message == "Unrecognized state filter: 'running'")
        }
    }

    @Test("the running user's model shows its server URL and servers; stopped rows only on request")
    func serversInModel() async throws {
        try await withHub(yaml: "JupyterHub:\n  allow_named_servers: true\n") { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            try await h.addServer("alice")
            try await h.addServer("alice", name: "old", ready: false)
            let t = try await h.token(for: "root")
            let alice = try #require(try await h.request(.get, "/hub/api/users?state=ready", token: t).json?.arrayValue?.first)
            #expect(alice["server"] == .string("/user/alice/"))
            #expect(alice["servers"]?.keys == [""])
            #expect(alice["servers"]?[""]?["ready"] == .bool(true))
            let all = try await h.request(.get, "/hub/api/users?state=ready&include_stopped_servers=1", token: t)
            #expect(all.json?.arrayValue?.first?["servers"]?.keys == ["", "old"])
            #expect(all.json?.arrayValue?.first?["servers"]?["old"]?["stopped"] == .bool(true))
        }
    }

    @Test("sort by id, name and last_activity, '-' for descending, NULL activity first ascending and last descending")
    func sorting() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            let carol = try await h.createUser("carol")
            let alice = try await h.createUser("alice")
            try await h.createUser("bob")
            try await h.store.bumpUserActivity([carol.id: Timestamp(microsecondsSinceEpoch: 2_000_000), alice.id: Timestamp(microsecondsSinceEpoch: 1_000_000)])
            let t = try await h.token(for: "root")
            func names(_ sort: String) async throws -> [String] {
                try #require(try await h.request(.get, "/hub/api/users?sort=\(sort)", token: t).json).names
            }
            #expect(try await names("id") == ["root", "carol", "alice", "bob"])
            #expect(try await names("-id") == ["bob", "alice", "carol", "root"])
            #expect(try await names("name") == ["alice", "bob", "carol", "root"])
            #expect(try await names("-name") == ["root", "carol", "bob", "alice"])
            #expect(try await names("last_activity") == ["root", "bob", "alice", "carol"])
            #expect(try await names("-last_activity") == ["carol", "alice", "bob", "root"])
            let bad = try await h.request(.get, "/hub/api/users?sort=created", token: t)
            #expect(bad.status == 400)
            #expect(bad.json?.message == "sort must be 'id', 'name', or 'last_activity', not 'created'")
        }
    }

    @Test("name_filter matches a case-insensitive substring, including non-ASCII wiki names")
    func nameFilter() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("Ärger Bär")
            try await h.createUser("barbara")
            try await h.createUser("Alice")
            let t = try await h.token(for: "root")
            #expect(try await h.request(.get, "/hub/api/users?name_filter=BAR", token: t).json?.names == ["barbara"])
            #expect(try await h.request(.get, "/hub/api/users?name_filter=b%C3%84r", token: t).json?.names == ["Ärger Bär"])
            #expect(try await h.request(.get, "/hub/api/users?name_filter=", token: t).json?.names.count == 4)
        }
    }

    @Test("list scopes: self is 403, !user= and !group= narrow rows and totals, !server= is 403, fields follow scopes")
    func scopeMatrix() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice", groups: ["g"])
            try await h.createUser("bob", groups: ["g"])
            try await h.createUser("carol")
            try await h.createRole("activity-reader", scopes: ["list:users", "read:users:activity"])
            try await h.createService("culler", roles: ["activity-reader"])

            let own = try await h.token(for: "alice")
            let denied = try await h.request(.get, "/hub/api/users", token: own)
            #expect(denied.status == 403)
            #expect(denied.json?.message?.contains("list:users") == true)

            let oneUser = try await h.token(for: "root", scopes: ["list:users!user=alice"])
            let justAlice = try await h.paged("/hub/api/users", token: oneUser)
            #expect(justAlice.json?["items"]?.names == ["alice"])
            #expect(justAlice.json?["_pagination"]?["total"] == .int(1))
            #expect(justAlice.json?["items"]?.arrayValue?.first?.keys == ["admin", "kind", "name", "user_info"])

            let group = try await h.token(for: "root", scopes: ["list:users!group=g", "read:users!user=carol"])
            let members = try await h.paged("/hub/api/users", token: group)
            #expect(members.json?["items"]?.names == ["alice", "bob"])
            #expect(members.json?["_pagination"]?["total"] == .int(2))

            let server = try await h.token(for: "root", scopes: ["list:users!server=alice/"])
            #expect(try await h.request(.get, "/hub/api/users", token: server).status == 403)

            let culler = try await h.serviceToken(for: "culler")
            let listed = try #require(try await h.request(.get, "/hub/api/users", token: culler).json)
            #expect(listed.names == ["root", "alice", "bob", "carol"])
            #expect(listed.arrayValue?.first?.keys == ["admin", "kind", "last_activity", "name", "user_info"])

            #expect(try await h.request(.get, "/hub/api/users").status == 403)
        }
    }
}

@Suite("POST /users: create many")
struct UsersCreateTests {
    @Test("creates the free names, skips existing ones, answers 201 with the created models")
    func createMany() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            let r = try await h.request(.post, "/hub/api/users", token: t,
                                        json: .object(["usernames": .array([.string("alice"), .string("Bob"), .string("carol"), .string("bob")])]))
            #expect(r.status == 201)
            #expect(r.json?.names == ["bob", "carol"])
            #expect(r.json?.arrayValue?.first?["admin"] == .bool(false))
            #expect(r.json?.arrayValue?.first?["roles"] == .array([.string("user")]))
            #expect(try await h.store.user(named: "bob") != nil)
            let again = try await h.request(.post, "/hub/api/users", token: t, json: .object(["usernames": .array([.string("alice"), .string("bob")])]))
            #expect(again.status == 409)
            #expect(again.json?.message == "All 2 users already exist")
        }
    }

    @Test("admin: true makes admins with the admin role, but only when an admin asks")
    func createAdmins() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createRole("user-admin", scopes: ["admin:users"])
            try await h.createUser("helper", roles: ["user-admin"])
            let root = try await h.token(for: "root")
            let made = try await h.request(.post, "/hub/api/users", token: root,
                                           json: .object(["usernames": .array([.string("ops")]), "admin": .bool(true)]))
            #expect(made.status == 201)
            #expect(made.json?.arrayValue?.first?["admin"] == .bool(true))
            #expect(made.json?.arrayValue?.first?["roles"] == .array([.string("user"), .string("admin")]))
            let helper = try await h.token(for: "helper")
            let refused = try await h.request(.post, "/hub/api/users", token: helper,
                                              json: .object(["usernames": .array([.string("sneaky")]), "admin": .bool(true)]))
            #expect(refused.status == 403)
            #expect(refused.json?.message == "Only admins can grant admin permissions")
            let plain = try await h.request(.post, "/hub/api/users", token: helper, json: .object(["usernames": .array([.string("fine")])]))
            #expect(plain.status == 201)
        }
    }

    @Test("bad bodies and names are 400s naming the problem; callers without admin:users get 403")
    func rejections() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("alice")
            let t = try await h.token(for: "root")
            func post(_ body: JSONValue, token: String) async throws -> HarnessResponse {
                try await h.request(.post, "/hub/api/users", token: token, json: body)
            }
            #expect(try await post(.object([:]), token: t).json?.message == "Must specify at least one user to create")
            #expect(try await post(.object(["usernames": .array([])]), token: t).json?.message == "Must specify at least one user to create")
            #expect(try await post(.object(["usernames": .array([.string("a/b")])]), token: t).json?.message == "Invalid username: a/b")
            #expect(try await post(.object(["usernames": .array([.string(" x"), .string("")])]), token: t).json?.message == "Invalid usernames:  x, ")
            let extra = try await post(.object(["usernames": .array([.string("x")]), "groups": .array([])]), token: t)
            #expect(extra.status == 400)
            #expect(extra.json?.message?.contains("'groups'") == true)
            #expect(try await post(.object(["usernames": .string("x")]), token: t).status == 400)
            #expect(try await post(.object(["usernames": .array([.string("x")]), "admin": .null]), token: t).status == 400)
            #expect(try await h.request(.post, "/hub/api/users", token: t, body: Array("{oops".utf8)).status == 400)
            let user = try await h.token(for: "alice")
            #expect(try await post(.object(["usernames": .array([.string("x")])]), token: user).status == 403)
            let filtered = try await h.token(for: "root", scopes: ["admin:users!user=alice"])
            #expect(try await post(.object(["usernames": .array([.string("x")])]), token: filtered).status == 403)
            #expect(try await h.store.user(named: "x") == nil)
        }
    }

    @Test("PAWS keeps wiki names as given; the dev login lower-cases them")
    func normalisation() async throws {
        let paws = """
            JupyterHub:
              authenticator_class: mediawiki
            MWOAuthenticator:
              client_id: key
              client_secret: secret
            """
        try await withHub(yaml: paws) { h in
            try await h.createUser("root", admin: true)
            let t = try await h.token(for: "root")
            let r = try await h.request(.post, "/hub/api/users", token: t, json: .object(["usernames": .array([.string("Chico Venancio")])]))
            #expect(r.json?.names == ["Chico Venancio"])
        }
        try await withHub { h in
            try await h.createUser("root", admin: true)
            let t = try await h.token(for: "root")
            let r = try await h.request(.post, "/hub/api/users", token: t, json: .object(["usernames": .array([.string("Chico Venancio")])]))
            #expect(r.json?.names == ["chico venancio"])
        }
    }
}
