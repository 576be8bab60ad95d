import Foundation
import Testing
@testable import Store

@Suite("Groups, roles and services")
struct GroupRoleServiceTests {
    @Test("groups: create, page, update properties, members by name, delete")
    func groups() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let bob = try await store.createUser(NewUser(name: "bob"))
        var staff = try await store.createGroup(name: "staff", description: "Staff")
        try await store.createGroup(name: "students")
        try await store.createGroup(name: "visitors")
        await #expect(throws: StoreError.alreadyExists(.group, "staff")) { _ = try await store.createGroup(name: "staff") }

        let page = try await store.groups(page: PageRequest(offset: 1, limit: 1))
        #expect(page.items.map(\.name) == ["students"] && page.total == 3)

        staff.properties = try JSONObjectText(#"{"course":"wiki-101"}"#)
        try await store.updateGroup(staff)
        #expect(try await store.group(named: "staff")?.properties == staff.properties)

        try await store.addMembers(["bob", "alice", "bob"], toGroup: "staff")
        #expect(try await store.members(ofGroup: "staff") == ["alice", "bob"])
        await #expect(throws: StoreError.notFound(.user, "carol")) { try await store.addMembers(["carol"], toGroup: "students") }
        await #expect(throws: StoreError.notFound(.group, "nope")) { try await store.addMembers(["alice"], toGroup: "nope") }
        try await store.addMembers(["alice"], toGroup: "students")
        let names = try await store.groupNames(ofUsers: [alice.id, bob.id])
        #expect(names[alice.id] == ["staff", "students"] && names[bob.id] == ["staff"])

        try await store.removeMembers(["bob", "carol"], fromGroup: "staff")
        #expect(try await store.members(ofGroup: "staff") == ["alice"])
        try await store.deleteGroup(named: "staff")
        #expect(try await store.groupNames(ofUsers: [alice.id])[alice.id] == ["students"])
        await #expect(throws: StoreError.notFound(.group, "staff")) { try await store.deleteGroup(named: "staff") }
    }

    @Test("roles: upsert keeps assignments; holders, effective roles through groups, set and unassign")
    func roles() async throws {
        let store = try Store.inMemory()
        let alice = try await store.createUser(NewUser(name: "alice"))
        let bob = try await store.createUser(NewUser(name: "bob"))
        let group = try await store.createGroup(name: "staff")
        try await store.addMembers(["bob"], toGroup: "staff")
        let culler = try await store.saveService(name: "culler", admin: false)

        let v1 = try await store.saveRole(name: "reader", description: "reads", scopes: ["read:users"])
        try await store.assignRole("reader", to: .user(alice.id))
        try await store.assignRole("reader", to: .user(alice.id))
        let v2 = try await store.saveRole(name: "reader", scopes: ["read:users", "list:users"])
        #expect(v1.id == v2.id && v2.scopes == ["read:users", "list:users"] && v2.description == nil)
        #expect(try await store.roles(of: .user(alice.id)) == [v2])

        try await store.saveRole(name: "culler", scopes: ["admin:users"])
        try await store.assignRole("culler", to: .service(culler.id))
        try await store.assignRole("culler", to: .group(group.id))
        let holders = try await store.holders(ofRole: "culler")
        #expect(holders.users.isEmpty && holders.groups == ["staff"] && holders.services == ["culler"])

        let direct = try await store.roleNames(ofUsers: [alice.id, bob.id])
        #expect(direct[alice.id] == ["reader"] && direct[bob.id] == nil)
        let effective = try await store.effectiveRoles(ofUsers: [alice.id, bob.id])
        #expect(effective[alice.id]?.map(\.name) == ["reader"] && effective[bob.id]?.map(\.name) == ["culler"])

        try await store.setRoleHolders("reader", users: [bob.id], groups: [], services: [culler.id])
        let readers = try await store.holders(ofRole: "reader")
        #expect(readers.users == ["bob"] && readers.services == ["culler"])

        try await store.unassignRole("reader", from: .user(bob.id))
        #expect(try await store.holders(ofRole: "reader").users.isEmpty)
        await #expect(throws: StoreError.notFound(.role, "nope")) { try await store.assignRole("nope", to: .user(alice.id)) }
        await #expect(throws: StoreError.invalidReference("role assignment reader")) {
            try await store.assignRole("reader", to: .user(UserID(999)))
        }
        try await store.deleteRole(named: "culler")
        #expect(try await store.roles(of: .service(culler.id)).map(\.name) == ["reader"])
        #expect(try await store.roles().map(\.name) == ["reader"])
        await #expect(throws: StoreError.notFound(.role, "culler")) { try await store.deleteRole(named: "culler") }
    }

    @Test("services: upsert by name, update, activity, delete with their tokens")
    func services() async throws {
        let store = try Store.inMemory()
        try await store.saveOAuthClient(identifier: "service-grafana", description: nil, secretHash: nil, redirectURI: nil)
        let first = try await store.saveService(name: "grafana", admin: false, url: "http://grafana:3000")
        var second = try await store.saveService(name: "grafana", admin: true, url: "http://grafana:3000", oauthClientID: "service-grafana")
        #expect(first.id == second.id && second.admin && second.oauthClientID == "service-grafana")
        second.pid = 1234
        try await store.updateService(second)
        #expect(try await store.service(named: "grafana")?.pid == 1234)
        #expect(try await store.bumpServiceActivity([second.id: Timestamp(microsecondsSinceEpoch: 9)]) == 1)
        #expect(try await store.service(id: second.id)?.lastActivity == Timestamp(microsecondsSinceEpoch: 9))
        try await store.deleteOAuthClient(identifier: "service-grafana")
        #expect(try await store.service(named: "grafana")?.oauthClientID == nil)
        _ = try await store.createToken(NewAPIToken(prefix: "graf", hashed: "g", owner: .service(second.id), scopes: []))
        try await store.deleteService(named: "grafana")
        #expect(try await store.services().isEmpty)
        #expect(try await store.tokens(withPrefix: "graf").isEmpty)
        await #expect(throws: StoreError.notFound(.service, "grafana")) { try await store.deleteService(named: "grafana") }
    }
}
