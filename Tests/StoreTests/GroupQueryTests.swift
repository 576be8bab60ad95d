import Foundation
import Testing
@testable import Store

@Suite("Group and service batch queries")
struct GroupQueryTests {
    @Test("a filtered group page counts and pages only the named groups")
    func filteredPage() async throws {
        let store = try Store.inMemory()
        for name in ["a1", "b2", "c3", "d4"] { try await store.createGroup(name: name) }
        let page = try await store.groups(named: ["d4", "b2", "zz"], page: PageRequest(offset: 1, limit: 5))
        #expect(page.items.map(\.name) == ["d4"] && page.total == 2)
        let all = try await store.groups(named: nil, page: PageRequest(offset: 0, limit: 2))
        #expect(all.items.map(\.name) == ["a1", "b2"] && all.total == 4 && all.hasMore)
    }

    @Test("members and role names of many groups and services come back keyed by id")
    func batches() async throws {
        let store = try Store.inMemory()
        try await store.createUser(NewUser(name: "alice"))
        try await store.createUser(NewUser(name: "bob"))
        let staff = try await store.createGroup(name: "staff")
        let empty = try await store.createGroup(name: "empty")
        try await store.addMembers(["bob", "alice"], toGroup: "staff")
        try await store.saveRole(name: "grader", scopes: ["read:users"])
        try await store.saveRole(name: "viewer", scopes: ["read:groups"])
        try await store.assignRole("viewer", to: .group(staff.id))
        try await store.assignRole("grader", to: .group(staff.id))
        let culler = try await store.saveService(name: "culler", admin: false)
        try await store.assignRole("grader", to: .service(culler.id))

        let members = try await store.memberNames(ofGroups: [staff.id, empty.id])
        #expect(members[staff.id] == ["alice", "bob"] && members[empty.id] == nil)
        let roles = try await store.roleNames(ofGroups: [staff.id, empty.id])
        #expect(roles[staff.id] == ["grader", "viewer"] && roles[empty.id] == nil)
        #expect(try await store.roleNames(ofServices: [culler.id])[culler.id] == ["grader"])
        #expect(try await store.memberNames(ofGroups: []).isEmpty)
    }

    @Test("creating groups with members is all or nothing")
    func createAtomically() async throws {
        let store = try Store.inMemory()
        try await store.createUser(NewUser(name: "alice"))
        try await store.createGroup(name: "taken")

        await #expect(throws: StoreError.notFound(.user, "ghost")) {
            try await store.createGroups(named: ["new"], members: ["alice", "ghost"])
        }
        await #expect(throws: StoreError.alreadyExists(.group, "taken")) {
            try await store.createGroups(named: ["new", "taken"], members: ["alice"])
        }
        await #expect(throws: StoreError.alreadyExists(.group, "twice")) {
            try await store.createGroups(named: ["twice", "twice"], members: [])
        }
        #expect(try await store.group(named: "new") == nil)
        #expect(try await store.group(named: "twice") == nil)

        let made = try await store.createGroups(named: ["x1", "x2"], members: ["alice", "alice"])
        #expect(made.map(\.name) == ["x1", "x2"])
        #expect(try await store.members(ofGroup: "x2") == ["alice"])
    }
}
