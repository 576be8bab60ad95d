import Testing
@testable import Auth

@Suite("Scope expansion and intersection")
struct ScopeExpansionTests {
    let h = ScopeHierarchy.standard

    @Test("'self' for a user is the 15 user-filtered scopes JupyterHub reports")
    func selfForUser() throws {
        let got = h.expand(try scopes("self"), holder: .user("alice")).sortedStrings
        let want = [
            "access:servers", "delete:servers", "read:servers", "read:shares", "read:tokens", "read:users",
            "read:users:activity", "read:users:groups", "read:users:name", "read:users:shares", "servers",
            "start:servers", "tokens", "users:activity", "users:shares",
        ].map { "\($0)!user=alice" }.sorted()
        #expect(got == want)
        #expect(got.count == 15)
    }

    @Test("'self' means nothing for a service or a group")
    func selfForService() throws {
        #expect(h.expand(try scopes("self"), holder: .service("culler")).isEmpty)
        #expect(h.expand(try scopes("self"), holder: .other).isEmpty)
    }

    @Test("a filter is carried to every subscope")
    func filterCarried() throws {
        let got = h.expand(try scopes("users!group=staff"), holder: .other).sortedStrings
        #expect(got == ["list:users", "read:users", "read:users:activity", "read:users:groups", "read:users:name", "users", "users:activity"]
            .map { "\($0)!group=staff" }.sorted())
    }

    @Test("a !server filter is not carried to read:users subscopes")
    func serverFilterStopsAtUsers() throws {
        let got = h.expand(try scopes("servers!server=alice/nb1"), holder: .other).sortedStrings
        #expect(got == ["delete:servers", "read:servers", "servers", "start:servers"].map { "\($0)!server=alice/nb1" })
    }

    @Test("bare holder filters resolve to the holder, or to nothing without one")
    func holderFilters() throws {
        let raw = try scopes("users:activity!user", "access:servers!server", "read:services!service")
        let forAlice = h.expand(raw, holder: .user("alice"), client: .server(ServerRef(user: "alice", name: "")))
        #expect(forAlice.sortedStrings == [
            "access:servers!server=alice/", "read:users:activity!user=alice", "users:activity!user=alice",
        ])
        let forService = h.expand(raw, holder: .service("culler"))
        #expect(forService.sortedStrings == ["read:services!service=culler", "read:services:name!service=culler"])
    }

    @Test("an unfiltered scope absorbs its filtered variants")
    func reduction() throws {
        let got = try expanded("read:users!user=a", "read:users", "read:users!group=g").sortedStrings
        #expect(got == ["read:users"])
    }

    @Test("user ∩ group filter keeps the user only when they are in the group")
    func userGroupIntersection() throws {
        let token = try expanded("read:users!user=a")
        let owner = try expanded("read:users!group=g")
        let inGroup = StaticGroupMembership(["a": ["g"]])
        #expect(try token.intersection(owner, membership: inGroup).sortedStrings == ["read:users!user=a"])
        #expect(try owner.intersection(token, membership: inGroup).sortedStrings == ["read:users!user=a"])
        #expect(try token.intersection(owner, membership: noGroups).isEmpty)
    }

    @Test("server ∩ user and server ∩ group resolve through the server's owner")
    func serverIntersections() throws {
        let server = try expanded("access:servers!server=a/nb")
        #expect(try server.intersection(expanded("access:servers!user=a"), membership: noGroups).sortedStrings == ["access:servers!server=a/nb"])
        #expect(try server.intersection(expanded("access:servers!user=b"), membership: noGroups).isEmpty)
        let groups = StaticGroupMembership(["a": ["g"]])
        #expect(try server.intersection(expanded("access:servers!group=g"), membership: groups).sortedStrings == ["access:servers!server=a/nb"])
        #expect(try server.intersection(expanded("access:servers!group=h"), membership: groups).isEmpty)
    }

    @Test("unfiltered ∩ filtered is the filtered one; disjoint filters give nothing")
    func basicIntersections() throws {
        #expect(try expanded("read:users").intersection(expanded("read:users!user=a"), membership: noGroups).sortedStrings == ["read:users!user=a"])
        #expect(try expanded("read:users!user=a").intersection(expanded("read:users!user=b"), membership: noGroups).isEmpty)
        #expect(try expanded("read:users!group=g").intersection(expanded("read:users!group=h"), membership: noGroups).isEmpty)
        #expect(try expanded("read:users").intersection(expanded("servers"), membership: noGroups).isEmpty)
    }

    @Test("identify and access scopes")
    func identifyAndAccess() {
        #expect(h.identifyScopes(for: .user("alice")).sortedStrings == ["read:users:groups!user=alice", "read:users:name!user=alice"])
        #expect(h.identifyScopes(for: .service("culler")).sortedStrings == ["read:services:name!service=culler"])
        #expect(h.accessScopes(for: .hub).isEmpty)
        #expect(h.accessScopes(for: .service("x")).sortedStrings == ["access:services!service=x"])
    }
}

@Suite("Token scopes: no escalation")
struct TokenScopeTests {
    let h = ScopeHierarchy.standard
    var userRole: [Role] { Roles.defaults().filter { $0.name == .user } }
    var adminRoles: [Role] { Roles.defaults().filter { $0.name == .user || $0.name == .admin } }

    @Test("a server's own token sees exactly the scopes observed on JupyterHub 6")
    func serverToken() throws {
        let owner = Roles.userScopes(user: "alice", roles: userRole, groupRoles: [])
        let server = Roles.defaults().first { $0.name == .server }
        let got = try h.effectiveTokenScopes(
            server?.scopes ?? [], owner: .user("alice"), ownerScopes: owner,
            client: .server(ServerRef(user: "alice", name: "")), membership: noGroups)
        #expect(got.sortedStrings == [
            "access:servers!server=alice/", "read:users:activity!user=alice", "read:users:groups!user=alice",
            "read:users:name!user=alice", "users:activity!user=alice",
        ])
    }

    @Test("an OAuth token for a server gets access to it plus identify scopes")
    func oauthToken() throws {
        let owner = Roles.userScopes(user: "alice", roles: userRole, groupRoles: [])
        let got = try h.effectiveTokenScopes(
            [], owner: .user("alice"), ownerScopes: owner, client: .server(ServerRef(user: "alice", name: "")), membership: noGroups)
        #expect(got.sortedStrings == ["access:servers!server=alice/", "read:users:groups!user=alice", "read:users:name!user=alice"])
    }

    @Test("a token never gets a scope its owner lacks")
    func noEscalation() throws {
        let owner = Roles.userScopes(user: "alice", roles: userRole, groupRoles: [])
        let got = try h.effectiveTokenScopes(
            try scopes("admin:users", "read:users", "shutdown"), owner: .user("alice"), ownerScopes: owner,
            client: .hub, membership: noGroups)
        #expect(got.grant(for: .adminUsers) == nil)
        #expect(got.grant(for: .shutdown) == nil)
        #expect(got.grant(for: .readUsers) == .only(ScopeTargets(users: ["alice"])))
        #expect(got.scopes.isSubset(of: owner.scopes))
    }

    @Test("asking for more than the owner holds is refused, naming the excess scopes")
    func excessRefused() throws {
        let owner = Roles.userScopes(user: "alice", roles: userRole, groupRoles: [])
        let error = #expect(throws: ScopeError.self) {
            try h.checkRequestedTokenScopes(try scopes("read:users!user=alice", "admin:users"), owner: .user("alice"),
                                            ownerName: "alice", ownerScopes: owner, membership: noGroups)
        }
        #expect(error?.description.contains("admin:users") == true)
        #expect(error?.description.contains("read:users!user=alice") == false)
        try h.checkRequestedTokenScopes(try scopes("read:users!user=alice", "inherit"), owner: .user("alice"),
                                        ownerName: "alice", ownerScopes: owner, membership: noGroups)
    }

    @Test("a group-filtered request is allowed only for a member's own resources")
    func groupRequest() throws {
        let owner = h.expand(try scopes("read:users!group=staff"), holder: .user("carol"))
        let member = StaticGroupMembership(membersByGroup: ["staff": ["bob"]])
        try h.checkRequestedTokenScopes(try scopes("read:users!user=bob"), owner: .user("carol"), ownerName: "carol",
                                        ownerScopes: owner, membership: member)
        #expect(throws: ScopeError.self) {
            try h.checkRequestedTokenScopes(try scopes("read:users!user=dave"), owner: .user("carol"), ownerName: "carol",
                                            ownerScopes: owner, membership: member)
        }
    }

    @Test("'inherit' follows the owner when their roles change")
    func inheritFollowsOwner() throws {
        let asAdmin = Roles.userScopes(user: "alice", roles: adminRoles, groupRoles: [])
        let before = try h.effectiveTokenScopes(try scopes("inherit"), owner: .user("alice"), ownerScopes: asAdmin,
                                                client: .hub, membership: noGroups)
        #expect(before.grant(for: .adminUsers) == .all)
        let demoted = Roles.userScopes(user: "alice", roles: userRole, groupRoles: [])
        let after = try h.effectiveTokenScopes(try scopes("inherit"), owner: .user("alice"), ownerScopes: demoted,
                                               client: .hub, membership: noGroups)
        #expect(after.grant(for: .adminUsers) == nil)
        #expect(after == demoted)
    }

    @Test("revoking a role shrinks an explicit-scope token at once")
    func revokeShrinks() throws {
        let token = try scopes("admin:users")
        let asAdmin = Roles.userScopes(user: "alice", roles: adminRoles, groupRoles: [])
        #expect(try h.effectiveTokenScopes(token, owner: .user("alice"), ownerScopes: asAdmin, client: .hub, membership: noGroups)
            .grant(for: .deleteUsers) == .all)
        let demoted = Roles.userScopes(user: "alice", roles: userRole, groupRoles: [])
        #expect(try h.effectiveTokenScopes(token, owner: .user("alice"), ownerScopes: demoted, client: .hub, membership: noGroups)
            .grant(for: .deleteUsers) == nil)
    }
}

@Suite("OAuth scope negotiation")
struct OAuthScopeTests {
    let h = ScopeHierarchy.standard

    @Test("requested scopes the user holds pass; partly held ones narrow; unheld ones are refused")
    func resolve() throws {
        let have = Roles.userScopes(user: "alice", roles: Roles.defaults().filter { $0.name == .user }, groupRoles: [])
        let got = try h.resolveRequestedScopes(
            try scopes("read:users!user=alice", "access:servers!server", "read:users:name", "shutdown"),
            have: have, user: "alice", client: .server(ServerRef(user: "alice", name: "nb")), membership: noGroups)
        #expect(got.allowed.map(\.description).sorted() == [
            "access:servers!server", "read:users!user=alice", "read:users:name!user=alice",
        ])
        #expect(got.disallowed.map(\.description).sorted() == ["read:users:name", "shutdown"])
    }
}

@Suite("No escalation, exhaustively")
struct NoEscalationPropertyTests {
    static let pool = [
        "read:users", "read:users!user=a", "read:users!user=b", "read:users!group=g", "read:users!group=h",
        "servers!server=a/nb", "servers!server=b/", "servers!user=a", "servers!group=g", "servers", "admin:users",
        "access:servers!server=a/", "users!group=h", "self", "tokens!user=b",
    ]

    /// The resource a filter names, as an access target.
    static func target(_ filter: ScopeFilter?) -> AccessTarget {
        switch filter {
        case .user(let u)?: return .user(u)
        case .server(let s)?: return .server(s)
        case .group(let g)?: return .group(g)
        case .service(let s)?: return .service(s)
        case .holder?, nil: return .none
        }
    }

    @Test("every scope a token ends up with is one its owner holds for the same resource")
    func exhaustive() throws {
        let h = ScopeHierarchy.standard
        let membership = StaticGroupMembership(["a": ["g"], "b": ["h"]])
        let pool = try Scope.parseAll(Self.pool)
        var checked = 0
        for i in pool.indices {
            for j in pool.indices {
                for k in pool.indices where k != j {
                    let owner = h.expand([pool[j], pool[k]], holder: .user("a"))
                    let token = try h.effectiveTokenScopes([pool[i]], owner: .user("a"), ownerScopes: owner,
                                                           client: .hub, membership: membership)
                    for scope in token.scopes {
                        let target = Self.target(scope.filter)
                        let ownerMay = try owner.has(scope.name, on: target, membership: membership)
                        #expect(ownerMay, "token \(pool[i]) with owner [\(pool[j]), \(pool[k])] got \(scope)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 100)
    }
}
