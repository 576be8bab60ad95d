import Testing
@testable import Auth

@Suite("Scope parsing")
struct ScopeParsingTests {
    @Test("a plain scope parses to its base with no filter")
    func plain() throws {
        let s = try Scope(parsing: "read:users")
        #expect(s.name == .readUsers)
        #expect(s.filter == nil)
        #expect(s.description == "read:users")
    }

    @Test("every filter kind parses and prints back unchanged", arguments: [
        "read:users!user=alice", "servers!server=alice/nb1", "servers!server=alice/",
        "read:users!group=staff", "access:services!service=culler",
        "users:activity!user", "access:servers!server", "read:services!service",
    ])
    func roundTrip(text: String) throws {
        #expect(try Scope(parsing: text).description == text)
    }

    @Test("a default-server filter has the empty server name")
    func defaultServer() throws {
        let s = try Scope(parsing: "access:servers!server=alice/")
        #expect(s.filter == .server(ServerRef(user: "alice", name: "")))
    }

    @Test("an unknown scope is refused with its name in the error")
    func unknown() {
        #expect(throws: ScopeError.unknownScope("read:userz")) { try Scope(parsing: "read:userz") }
        let error = #expect(throws: ScopeError.self) { try Scope(parsing: "read:userz!user=a") }
        #expect(error?.description.contains("read:userz!user=a") == true)
    }

    @Test("the draft scope 'all' points to 'inherit'")
    func draftAll() {
        let error = #expect(throws: ScopeError.self) { try Scope(parsing: "all") }
        #expect(error?.description.contains("inherit") == true)
    }

    @Test("bad filters are refused", arguments: [
        "read:users!bogus=x", "read:users!user=", "read:users!group", "servers!server=alice", "servers!server=/nb",
        "read:users!", "read:users!=x",
    ])
    func badFilters(text: String) {
        #expect(throws: ScopeError.self) { try Scope(parsing: text) }
    }

    @Test("the hierarchy implies exactly the documented subscopes")
    func hierarchy() {
        let h = ScopeHierarchy.standard
        #expect(h.closure(of: .users) == [.users, .readUsers, .listUsers, .usersActivity, .readUsersName, .readUsersGroups, .readUsersActivity])
        #expect(h.closure(of: .servers) == [.servers, .readServers, .startServers, .deleteServers, .readUsersName])
        #expect(h.closure(of: .shares) == [.shares, .accessServers, .readShares, .usersShares, .readUsersShares, .groupsShares, .readGroupsShares])
        #expect(h.closure(of: .adminGroups) == [.adminGroups, .groups, .readGroups, .listGroups, .readGroupsName, .readRolesGroups, .deleteGroups])
        #expect(h.closure(of: .adminServices) == [.adminServices, .listServices, .readServices, .readServicesName, .readRolesServices])
        #expect(h.closure(of: .adminUsers).contains(.adminAuthState))
        #expect(h.closure(of: .readHub) == [.readHub])
    }

    @Test("custom scopes must be defined, well named, and only imply custom scopes")
    func customScopes() throws {
        #expect(throws: ScopeError.self) { try Scope(parsing: "custom:app:read") }
        let h = try ScopeHierarchy.standard.addingCustomScopes([
            "custom:app:read": ScopeDefinition(description: "read app", subscopes: [ScopeName(rawValue: "custom:app:read:files")]),
            "custom:app:read:files": ScopeDefinition(description: "read files"),
        ])
        let s = try Scope(parsing: "custom:app:read!user=alice", in: h)
        #expect(h.closure(of: s.name).count == 2)
        for bad in ["custom:", "custom:A", "custom:-ab", "custom:ab-", "custom:ab:", "notcustom:ab", "custom:a b"] {
            #expect(throws: ScopeError.self) {
                try ScopeHierarchy.standard.addingCustomScopes([bad: ScopeDefinition(description: "x")])
            }
        }
        #expect(throws: ScopeError.self) {
            try ScopeHierarchy.standard.addingCustomScopes(
                ["custom:abc": ScopeDefinition(description: "x", subscopes: [.readUsers])])
        }
    }
}
