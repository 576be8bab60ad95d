import HTTPTypes
import Store
import Testing
@testable import Hub

@Suite("GET /shares/{owner}[/{server}] and pagination")
struct SharesListTests {
    @Test("lists are always the paginated envelope; next carries an absolute URL with the query kept")
    func pagination() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture(groups: ["staff": []])
            for body: JSONValue in [.object(["user": .string("bob")]), .object(["user": .string("carol")]), .object(["group": .string("staff")])] {
                #expect(try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: body).status == 200)
            }
            var headers = HTTPFields()
            headers[HTTPField.Name("Host")!] = "hub.example:8081"
            let first = try await h.request(.get, "/hub/api/shares/alice?limit=2&foo=a%20b", token: t.alice, headers: headers)
            #expect(first.status == 200)
            let items = try #require(first.json?["items"]?.arrayValue)
            #expect(items.map { $0["user"]?["name"] ?? $0["group"]?["name"] } == [.string("bob"), .string("carol")])
            #expect(first.json?["_pagination"] == .object([
                "offset": .int(0), "limit": .int(2), "total": .int(3),
                "next": .object(["offset": .int(2), "limit": .int(2),
                                 "url": .string("http://hub.example:8081/hub/api/shares/alice?limit=2&foo=a+b&offset=2")]),
            ]))
            let last = try await h.request(.get, "/hub/api/shares/alice/nb1?offset=2&limit=2", token: t.alice)
            #expect(last.json?["items"]?.arrayValue?.first?["kind"] == .string("group"))
            #expect(last.json?["_pagination"]?["next"] == .null)
        }
    }

    @Test("default limit is 200 without the pagination Accept header and 50 with it; limits clamp; junk is 400")
    func limits() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let plain = try await h.request(.get, "/hub/api/shares/alice", token: t.alice)
            #expect(plain.json?["_pagination"]?["limit"] == .int(200))
            var accept = HTTPFields()
            accept[.accept] = "application/json, application/jupyterhub-pagination+json"
            let paged = try await h.request(.get, "/hub/api/shares/alice", token: t.alice, headers: accept)
            #expect(paged.json?["_pagination"]?["limit"] == .int(50))
            let clamped = try await h.request(.get, "/hub/api/shares/alice?limit=5000&offset=-3", token: t.alice)
            #expect(clamped.json?["_pagination"]?["limit"] == .int(200))
            #expect(clamped.json?["_pagination"]?["offset"] == .int(3))
            let zero = try await h.request(.get, "/hub/api/shares/alice?limit=0", token: t.alice)
            #expect(zero.json?["_pagination"]?["limit"] == .int(1))
            let junk = try await h.request(.get, "/hub/api/shares/alice?limit=ten", token: t.alice)
            #expect(junk.status == 400)
            #expect(junk.json?["message"] == .string("Invalid argument type, offset and limit must be integers"))
        }
    }

    @Test("an unknown owner is 404; an unknown server is 404 naming it; a default server without a row lists nothing")
    func notFound() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            #expect(try await h.request(.get, "/hub/api/shares/ghost", token: t.admin).status == 404)
            let server = try await h.request(.get, "/hub/api/shares/alice/nope", token: t.admin)
            #expect(server.status == 404 && server.json?["message"] == .string("No such server: alice/nope"))
            let bobDefault = try await h.request(.get, "/hub/api/shares/bob/", token: t.admin)
            #expect(bobDefault.status == 200 && bobDefault.json?["items"] == .array([]))
            #expect(try await h.request(.get, "/hub/api/shares/ghost/", token: t.admin).status == 404)
        }
    }
}
