import Testing
@testable import Auth

/// One row of the scope matrix: who (by role scopes), what scope, on which resource, and the answer.
struct MatrixCase: Sendable, CustomStringConvertible {
    enum Want: Sendable, Equatable { case allowed, notFound, forbidden }
    let who: String
    let required: ScopeName
    let target: AccessTarget
    let want: Want
    var description: String { "\(who) \(required) on \(target) → \(want)" }
}

private let alice = ServerRef(user: "alice", name: "")
private let aliceNB = ServerRef(user: "alice", name: "nb1")
private let dave = ServerRef(user: "dave", name: "")

/// Effective scopes for each holder used in the matrix.
private func callerScopes(_ who: String) throws -> ExpandedScopes {
    let h = ScopeHierarchy.standard
    let defaults = Roles.defaults()
    let role = { (name: RoleName) in defaults.filter { $0.name == name } }
    switch who {
    case "admin": return Roles.userScopes(user: "root", roles: role(.user) + role(.admin), groupRoles: [])
    case "alice": return Roles.userScopes(user: "alice", roles: role(.user), groupRoles: [])
    case "alice-server-token":
        let owner = Roles.userScopes(user: "alice", roles: role(.user), groupRoles: [])
        return try h.effectiveTokenScopes(role(.server).flatMap(\.scopes), owner: .user("alice"), ownerScopes: owner,
                                          client: .server(alice), membership: noGroups)
    case "staff-reader":
        let custom = Role(name: try RoleName("staff-reader"), description: nil,
                          scopes: try scopes("read:users!group=staff", "servers!group=staff"))
        return Roles.userScopes(user: "carol", roles: role(.user), groupRoles: [custom])
    case "culler":
        let culler = Role(name: try RoleName("culler"), description: nil,
                          scopes: try scopes("list:users", "read:users:activity", "servers", "admin:users"))
        return Roles.serviceScopes(service: "culler", roles: [culler])
    default: return ExpandedScopes()
    }
}

private let staff = StaticGroupMembership(membersByGroup: ["staff": ["dave"]])

private let matrix: [MatrixCase] = [
    // admin can do everything
    .init(who: "admin", required: .readUsers, target: .user("anyone"), want: .allowed),
    .init(who: "admin", required: .deleteUsers, target: .none, want: .allowed),
    .init(who: "admin", required: .startServers, target: .server(dave), want: .allowed),
    .init(who: "admin", required: .adminAuthState, target: .user("dave"), want: .allowed),
    .init(who: "admin", required: .shutdown, target: .none, want: .allowed),
    // a plain user: own resources yes, others' hidden (404), admin actions 403
    .init(who: "alice", required: .readUsers, target: .user("alice"), want: .allowed),
    .init(who: "alice", required: .readUsers, target: .user("bob"), want: .notFound),
    .init(who: "alice", required: .startServers, target: .server(aliceNB), want: .allowed),
    .init(who: "alice", required: .deleteServers, target: .server(dave), want: .notFound),
    .init(who: "alice", required: .tokens, target: .user("alice"), want: .allowed),
    .init(who: "alice", required: .accessServers, target: .server(alice), want: .allowed),
    .init(who: "alice", required: .adminUsers, target: .none, want: .forbidden),
    .init(who: "alice", required: .listUsers, target: .none, want: .forbidden),
    .init(who: "alice", required: .readUsers, target: .none, want: .forbidden),
    .init(who: "alice", required: .readGroups, target: .group("staff"), want: .forbidden),
    .init(who: "alice", required: .adminServerState, target: .server(alice), want: .forbidden),
    // a server token: activity and its own server only
    .init(who: "alice-server-token", required: .usersActivity, target: .user("alice"), want: .allowed),
    .init(who: "alice-server-token", required: .accessServers, target: .server(alice), want: .allowed),
    .init(who: "alice-server-token", required: .accessServers, target: .server(aliceNB), want: .notFound),
    .init(who: "alice-server-token", required: .readUsers, target: .user("alice"), want: .forbidden),
    .init(who: "alice-server-token", required: .startServers, target: .server(alice), want: .forbidden),
    // group-filtered grants resolve through membership
    .init(who: "staff-reader", required: .readUsers, target: .user("dave"), want: .allowed),
    .init(who: "staff-reader", required: .readUsers, target: .user("erin"), want: .notFound),
    .init(who: "staff-reader", required: .startServers, target: .server(dave), want: .allowed),
    .init(who: "staff-reader", required: .readUsers, target: .user("carol"), want: .allowed),
    .init(who: "staff-reader", required: .deleteUsers, target: .user("dave"), want: .forbidden),
    // the culler service
    .init(who: "culler", required: .deleteServers, target: .server(aliceNB), want: .allowed),
    .init(who: "culler", required: .deleteUsers, target: .user("dave"), want: .allowed),
    .init(who: "culler", required: .readUsersActivity, target: .user("dave"), want: .allowed),
    .init(who: "culler", required: .tokens, target: .user("dave"), want: .forbidden),
    // nobody
    .init(who: "anonymous", required: .readUsers, target: .user("alice"), want: .forbidden),
]

@Suite("Access decisions")
struct AccessMatrixTests {
    @Test("scope matrix: holder × required scope × target", arguments: matrix)
    func matrixRow(row: MatrixCase) throws {
        let decision = try callerScopes(row.who).authorize(row.required, on: row.target, membership: staff)
        switch row.want {
        case .allowed: #expect(decision == .allowed)
        case .notFound: #expect(decision == .notFound); #expect(decision.status == 404)
        case .forbidden:
            #expect(decision.status == 403)
            #expect(decision.message?.contains(row.required.rawValue) == true)
        }
    }

    @Test("any one of several required scopes is enough, and the 403 lists them all")
    func anyOf() throws {
        let svc = try expanded("read:services:name!service=a")
        #expect(try svc.authorize(anyOf: [.readServices, .readServicesName], on: .service("a"), membership: noGroups) == .allowed)
        #expect(try svc.authorize(anyOf: [.readServices, .readServicesName], on: .service("b"), membership: noGroups) == .notFound)
        let none = try ExpandedScopes().authorize(anyOf: [.readServices, .readRolesServices], on: .service("a"), membership: noGroups)
        #expect(none == .forbidden("Action is not authorized with current scopes; requires any of [read:services, read:roles:services]"))
    }

    @Test("a server is granted by the scope, its server filter, its user filter, or a group of its user")
    func serverGrants() throws {
        let groups = StaticGroupMembership(["u": ["g"]])
        let target = AccessTarget.server(ServerRef(user: "u", name: "s"))
        for grant in ["servers", "servers!server=u/s", "servers!user=u", "servers!group=g"] {
            #expect(try expanded(grant).authorize(.servers, on: target, membership: groups) == .allowed, "\(grant)")
        }
        for grant in ["servers!server=u/t", "servers!user=v", "servers!group=h"] {
            #expect(try expanded(grant).authorize(.servers, on: target, membership: groups) == .notFound, "\(grant)")
        }
    }

    @Test("list endpoints post-filter by user and group, and refuse other filters")
    func lists() throws {
        #expect(try expanded("list:users").listAccess(.listUsers, allowedFilters: [.user, .group]) == .all)
        let filtered = try expanded("list:users!user=a", "list:users!group=g").listAccess(.listUsers, allowedFilters: [.user, .group])
        #expect(filtered.includesUser("a", groups: []))
        #expect(filtered.includesUser("b", groups: ["g"]))
        #expect(!filtered.includesUser("c", groups: ["h"]))
        #expect(try expanded("list:users!server=a/").listAccess(.listUsers, allowedFilters: [.user, .group]) == .forbidden(nil))
        #expect(try expanded("list:groups!user=a").listAccess(.listGroups, allowedFilters: [.group]) == .forbidden(nil))
        let services = try expanded("list:services!service=x", "list:services!user=a")
            .listAccess(.listServices, allowedFilters: [.service], otherFilters: .ignore)
        #expect(services.includesService("x") && !services.includesService("y"))
        guard case .forbidden(let message?) = ExpandedScopes().listAccess(.listUsers, allowedFilters: [.user]) else {
            Issue.record("expected a 403 with a message")
            return
        }
        #expect(message.contains("list:users"))
    }

    @Test("a failing group lookup surfaces as an error, and is not consulted when not needed")
    func membershipFailuresPropagate() throws {
        struct Broken: GroupMembership {
            struct Down: Error {}
            func groupNames(ofUser user: String) throws -> Set<String> { throw Down() }
        }
        #expect(try expanded("read:users!user=a").authorize(.readUsers, on: .user("a"), membership: Broken()) == .allowed)
        #expect(throws: Broken.Down.self) {
            try expanded("read:users!group=g").authorize(.readUsers, on: .user("a"), membership: Broken())
        }
    }
}
