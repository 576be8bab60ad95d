import Auth
import HTTP
import Testing
@testable import Hub

@Suite("APIRequest.authorize: the one access check")
struct CoreAuthorizationTests {
    /// An API request as `name`'s token would make it.
    func request(_ h: HubHarness, token: String?) async throws -> APIRequest {
        let identity = try await token.asyncMap { try await h.hub.identify(token: $0) } ?? nil
        return APIRequest(head: RequestHead(method: .get, target: "/hub/api/x"), path: PathParameters(), identity: identity,
                          hub: h.hub, remoteIP: "127.0.0.1", isSecure: false, body: .empty)
    }

    @Test("own resource allowed; someone else's is 404 (scope held for others only); unheld scope is 403")
    func decisions() async throws {
        try await withHub { h in
            try await h.createUser("alice")
            try await h.createUser("bob")
            let alice = try await request(h, token: try await h.token(for: "alice"))
            try await alice.authorize(.readUsers, on: .user("alice"))
            let other = await #expect(throws: HubError.self) { try await alice.authorize(.readUsers, on: .user("bob")) }
            #expect(other?.status == .notFound)
            #expect(other?.message == nil)
            let unheld = await #expect(throws: HubError.self) { try await alice.authorize(.adminUsers, on: .user("alice")) }
            #expect(unheld?.status == .forbidden)
            #expect(unheld?.message == "Action is not authorized with current scopes; requires any of [admin:users]")
            let anonymous = try await request(h, token: nil)
            let none = await #expect(throws: HubError.self) { try await anonymous.authorize(.readUsers, on: .user("alice")) }
            #expect(none?.message == "Missing or invalid credentials.")
        }
    }

    @Test("a group-filtered grant reaches members only, looked up in the database")
    func groupFilter() async throws {
        try await withHub { h in
            try await h.createRole("team-reader", scopes: ["read:users!group=team"])
            try await h.createUser("lead", roles: ["team-reader"])
            try await h.createUser("member", groups: ["team"])
            try await h.createUser("outsider")
            let lead = try await request(h, token: try await h.token(for: "lead"))
            try await lead.authorize(.readUsers, on: .user("member"))
            #expect(try await lead.holds(.readUsers, on: .user("member")))
            #expect(try await !lead.holds(.readUsers, on: .user("outsider")))
            let access = try lead.listAccess(.readUsers, filterableBy: [.user, .group])
            #expect(access.includesUser("member", groups: ["team"]))
            #expect(!access.includesUser("outsider", groups: []))
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
