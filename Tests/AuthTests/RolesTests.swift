import Testing
@testable import Auth

@Suite("Roles")
struct RolesTests {
    @Test("built-in roles carry JupyterHub's exact scopes")
    func defaults() {
        let roles = Dictionary(uniqueKeysWithValues: Roles.defaults().map { ($0.name, $0.scopes.map(\.description)) })
        #expect(roles[.user] == ["self"])
        #expect(roles[.admin] == [
            "admin-ui", "admin:users", "admin:servers", "admin:services", "tokens", "admin:groups", "list:services",
            "read:services", "read:hub", "proxy", "shutdown", "access:services", "access:servers", "read:roles",
            "read:metrics", "shares",
        ])
        #expect(roles[.server] == ["users:activity!user", "access:servers!server"])
        #expect(roles[.token] == ["inherit"])
    }

    @Test("role names follow JupyterHub's pattern", arguments: [
        ("abc", true), ("user", true), ("my-role.v2_x~y", true), ("ab", false), ("Abc", false), ("1ab", false),
        ("ab-", false), ("a b", false), ("", false), (String(repeating: "a", count: 255), true),
        (String(repeating: "a", count: 256), false),
    ])
    func names(name: String, valid: Bool) {
        #expect(((try? RoleName(name)) != nil) == valid)
    }

    @Test("load_roles: a built-in role listed with only members keeps its scopes")
    func membersOnly() throws {
        let loaded = try Roles.load([RoleSpec(name: "admin", services: ["ops"]), RoleSpec(name: "user", users: ["x"])])
        #expect(loaded.role(named: .admin)?.scopes == Roles.defaults().first { $0.name == .admin }?.scopes)
        #expect(loaded.role(named: .user)?.scopes.map(\.description) == ["self"])
        #expect(loaded.members[.admin]?.services == ["ops"])
        #expect(loaded.roles.count == 4)
    }

    @Test("load_roles: admin cannot be redefined")
    func adminLocked() {
        #expect(throws: RoleError.cannotRedefineAdmin(field: "scopes")) {
            try Roles.load([RoleSpec(name: "admin", scopes: ["read:users"])])
        }
        #expect(throws: RoleError.cannotRedefineAdmin(field: "description")) {
            try Roles.load([RoleSpec(name: "admin", description: "mine")])
        }
    }

    @Test("load_roles: an unknown scope is an error naming the role and the scope")
    func unknownScope() {
        let error = #expect(throws: RoleError.self) {
            try Roles.load([RoleSpec(name: "culler", scopes: ["list:users", "read:users:activty"], services: ["culler"])])
        }
        #expect(error?.description.contains("culler") == true)
        #expect(error?.description.contains("read:users:activty") == true)
    }

    @Test("load_roles: duplicates, bad names and bad extra user scopes are errors")
    func otherErrors() {
        #expect(throws: RoleError.duplicate("ops")) {
            try Roles.load([RoleSpec(name: "ops", scopes: ["proxy"]), RoleSpec(name: "ops", scopes: ["shutdown"])])
        }
        #expect(throws: RoleError.invalidName("Ops")) { try Roles.load([RoleSpec(name: "Ops")]) }
        #expect(throws: RoleError.self) { try Roles.load([], extraUserScopes: ["nope"]) }
    }

    @Test("load_roles: custom roles and extra user scopes are kept in order")
    func customRoles() throws {
        let loaded = try Roles.load([RoleSpec(name: "culler", scopes: ["list:users", "servers"], services: ["culler"])],
                                    extraUserScopes: ["read:hub"])
        #expect(loaded.roles.map(\.name.rawValue) == ["user", "admin", "server", "token", "culler"])
        #expect(loaded.role(named: .user)?.scopes.map(\.description) == ["self", "read:hub"])
        #expect(loaded.members[try RoleName("culler")]?.services == ["culler"])
    }

    @Test("a user's scopes include their groups' roles and shares")
    func groupRolesAndShares() throws {
        let groupRole = Role(name: try RoleName("viewers"), description: nil, scopes: try scopes("read:hub"))
        let got = Roles.userScopes(user: "alice", roles: Roles.defaults().filter { $0.name == .user }, groupRoles: [groupRole],
                                   shareScopes: try scopes("access:servers!server=bob/nb"))
        #expect(got.grant(for: .readHub) == .all)
        #expect(got.grant(for: .accessServers) == .only(ScopeTargets(users: ["alice"], servers: [ServerRef(user: "bob", name: "nb")])))
    }
}
