import Foundation
import Store
import Testing
@testable import Hub

/// Parses a JSON literal for a request body.
private func body(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

@Suite("Groups API: members and properties")
struct GroupMembershipAPITests {
    @Test("adding and removing members: 200 with the model; `users` required; unknown users 400 with nothing changed")
    func members() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            let names = ["aurora", "guardian", "northstar", "sasquatch"]
            for name in names { try await h.createUser(name) }
            try await h.createGroup("alphaflight")
            let root = try await h.token(for: "root")
            let path = "/hub/api/groups/alphaflight/users"
            let none = try await h.request(.post, path, token: root, json: try body("{}"))
            #expect(none.status == 400 && none.json?["message"] == .string("Must specify users to add"))
            let added = try await h.request(.post, path, token: root, json: try body(#"{"users": ["aurora", "guardian", "northstar", "sasquatch", "aurora"]}"#))
            #expect(added.status == 200 && added.json?["users"] == .array(names.map { .string($0) }))
            let ghost = try await h.request(.post, path, token: root, json: try body(#"{"users": ["ghost"]}"#))
            #expect(ghost.status == 400 && ghost.json?["message"] == .string("No such user: ghost"))
            let removeGhost = try await h.request(.delete, path, token: root, json: try body(#"{"users": ["aurora", "ghost"]}"#))
            #expect(removeGhost.status == 400 && removeGhost.json?["message"] == .string("No such user: ghost"))
            #expect(try await h.store.members(ofGroup: "alphaflight") == names)
            let removed = try await h.request(.delete, path, token: root, json: try body(#"{"users": ["aurora", "guardian"]}"#))
            #expect(removed.status == 200 && removed.json?["users"] == .array([.string("northstar"), .string("sasquatch")]))
            let noneToDelete = try await h.request(.delete, path, token: root, json: try body("{}"))
            #expect(noneToDelete.status == 400 && noneToDelete.json?["message"] == .string("Must specify users to delete"))
            #expect(try await h.request(.delete, path, token: root).status == 400)
            let missing = try await h.request(.post, "/hub/api/groups/nope/users", token: root, json: try body(#"{"users": ["aurora"]}"#))
            #expect(missing.status == 404 && missing.json?["message"] == .string("No such group: nope"))
        }
    }

    @Test("a new member gets the group's roles at once, and loses them at once when removed")
    func membershipChangesScopes() async throws {
        try await withHub { h in
            try await h.createRole("viewer", scopes: ["read:users"])
            try await h.createUser("root", admin: true)
            try await h.createUser("bob")
            try await h.createGroup("viewers", roles: ["viewer"])
            let root = try await h.token(for: "root")
            let bob = try await h.token(for: "bob")
            #expect(try await h.request(.get, "/hub/api/users/root", token: bob).status == 404)
            _ = try await h.request(.get, "/hub/api/user", token: bob)  // cached identity
            #expect(try await h.request(.post, "/hub/api/groups/viewers/users", token: root, json: try body(#"{"users": ["bob"]}"#)).status == 200)
            let scopes = try await h.request(.get, "/hub/api/user", token: bob).json?["scopes"]?.arrayValue ?? []
            #expect(scopes.contains(.string("read:users")))
            #expect(try await h.request(.delete, "/hub/api/groups/viewers/users", token: root, json: try body(#"{"users": ["bob"]}"#)).status == 200)
            let after = try await h.request(.get, "/hub/api/user", token: bob).json?["scopes"]?.arrayValue ?? []
            #expect(!after.contains(.string("read:users")))
        }
    }

    @Test("member changes need `groups` on that group: filtered grant 404 elsewhere, read-only 403")
    func memberScopes() async throws {
        try await withHub { h in
            try await h.createRole("team-manager", scopes: ["groups!group=team"])
            try await h.createRole("reader", scopes: ["read:groups"])
            try await h.createUser("lead", roles: ["team-manager"])
            try await h.createUser("reader", roles: ["reader"])
            try await h.createUser("alice")
            try await h.createGroup("team")
            try await h.createGroup("other")
            let lead = try await h.token(for: "lead")
            let add = try body(#"{"users": ["alice"]}"#)
            #expect(try await h.request(.post, "/hub/api/groups/team/users", token: lead, json: add).status == 200)
            #expect(try await h.request(.post, "/hub/api/groups/other/users", token: lead, json: add).status == 404)
            let reader = try await h.request(.post, "/hub/api/groups/team/users", token: try await h.token(for: "reader"), json: add)
            #expect(reader.status == 403)
            #expect(try await h.store.members(ofGroup: "other") == [])
        }
    }

    @Test("properties: PUT replaces the object and returns the model; anything but an object is 400 and changes nothing")
    func properties() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            try await h.createGroup("g")
            let root = try await h.token(for: "root")
            let path = "/hub/api/groups/g/properties"
            let set = try await h.request(.put, path, token: root, json: try body(#"{"str": "x", "int": 5, "list": ["a"], "nested": {"k": null}}"#))
            #expect(set.status == 200)
            #expect(set.json?["properties"] == (try body(#"{"str": "x", "int": 5, "list": ["a"], "nested": {"k": null}}"#)))
            for bad in ["\"str\"", "5", "[\"list\"]", "null"] {
                let r = try await h.request(.put, path, token: root, json: try body(bad))
                #expect(r.status == 400, "\(bad)")
            }
            #expect(try await h.request(.put, path, token: root).status == 400)
            let stored = try #require(try await h.store.group(named: "g"))
            #expect(try JSONValue.parse(stored.properties.text)["int"] == .int(5))
            let cleared = try await h.request(.put, path, token: root, json: try body("{}"))
            #expect(cleared.status == 200 && cleared.json?["properties"] == .object([:]))
            let shown = try await h.request(.get, "/hub/api/groups/g", token: root)
            #expect(shown.json?["properties"] == .object([:]))
            #expect(try await h.request(.put, "/hub/api/groups/nope/properties", token: root, json: try body("{}")).status == 404)
        }
    }

    @Test("properties need `groups` on the group: a group-filtered grant edits its group only")
    func propertyScopes() async throws {
        try await withHub { h in
            try await h.createRole("g1-manager", scopes: ["groups!group=g1"])
            try await h.createUser("lead", roles: ["g1-manager"])
            try await h.createUser("plain")
            try await h.createGroup("g1")
            try await h.createGroup("g2")
            let lead = try await h.token(for: "lead")
            let value = try body(#"{"course": "wiki-101"}"#)
            #expect(try await h.request(.put, "/hub/api/groups/g1/properties", token: lead, json: value).status == 200)
            #expect(try await h.request(.put, "/hub/api/groups/g2/properties", token: lead, json: value).status == 404)
            #expect(try await h.request(.put, "/hub/api/groups/g1/properties", token: try await h.token(for: "plain"), json: value).status == 403)
            #expect(try await h.store.group(named: "g2")?.properties == .empty)
        }
    }
}
