import Auth
import Foundation
import Store
import Testing
@testable import Hub

@Suite("/share-codes and ShareCodeExchange")
struct SharesCodesTests {
    @Test("issuing a code: 43 url-safe characters shown once, stored hashed, accept_url, one-day default expiry")
    func issue() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let before = Date()
            let r = try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice, json: .object([:]))
            #expect(r.status == 200)
            let m = try #require(r.json?.objectValue)
            #expect(Set(m.keys) == ["server", "scopes", "id", "created_at", "expires_at", "exchange_count", "last_exchanged_at",
                                   "code", "accept_url", "full_accept_url"])
            let code = try #require(m["code"]?.stringValue)
            #expect(code.count == 43)
            #expect(code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(m["accept_url"] == .string("/hub/accept-share?code=" + code))
            #expect(m["full_accept_url"] == .null)
            #expect(m["scopes"] == .array([.string("access:servers!server=alice/nb1")]))
            #expect(m["exchange_count"] == .int(0) && m["last_exchanged_at"] == .null)
            #expect(m["id"]?.stringValue?.hasPrefix("sc_") == true)
            let stored = try await h.store.shareCodes(withPrefix: String(code.prefix(4)))
            #expect(stored.count == 1 && stored[0].hashed.hasPrefix("sha512:1:") && !stored[0].hashed.contains(code))
            let expiry = stored[0].expiresAt.date.timeIntervalSince(before)
            #expect(expiry > 86_390 && expiry < 86_410)
        }
    }

    @Test("expires_in must be an integer from 60 to 31536000 seconds; other fields are refused")
    func expiresIn() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            for bad: JSONValue in [.int(59), .int(31_536_001), .string("3600"), .bool(true), .double(90.5)] {
                let r = try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice, json: .object(["expires_in": bad]))
                #expect(r.status == 400, "\(bad.jsonText)")
            }
            #expect(try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice,
                                        json: .object(["expires_in": .int(60)])).status == 200)
            #expect(try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice,
                                        json: .object(["user": .string("bob")])).status == 400)
            #expect(try await h.request(.post, "/hub/api/share-codes/alice", token: t.alice, json: .object([:])).status == 405)
        }
    }

    @Test("codes list per server and per owner without the code itself; others get 404, unscoped callers 403")
    func list() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            _ = try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice, json: .object([:]))
            _ = try await h.request(.post, "/hub/api/share-codes/alice/", token: t.alice, json: .object([:]))
            let server = try await h.request(.get, "/hub/api/share-codes/alice/nb1", token: t.alice)
            #expect(server.json?["items"]?.arrayValue?.count == 1)
            #expect(server.json?["items"]?.arrayValue?.first?["code"] == nil)
            let owner = try await h.request(.get, "/hub/api/share-codes/alice", token: t.alice)
            #expect(owner.json?["_pagination"]?["total"] == .int(2))
            #expect(try await h.request(.get, "/hub/api/share-codes/alice", token: t.bob).status == 404)
            #expect(try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.bob, json: .object([:])).status == 403)
            #expect(try await h.request(.get, "/hub/api/share-codes/ghost", token: t.admin).status == 404)
        }
    }

    @Test("DELETE by ?code=, by ?id=sc_N, or all; unknown ones are 404 with JupyterHub's messages")
    func revoke() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            var codes: [(code: String, id: String)] = []
            for _ in 0..<4 {
                let m = try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice, json: .object([:])).json
                codes.append((try #require(m?["code"]?.stringValue), try #require(m?["id"]?.stringValue)))
            }
            let byCode = try await h.request(.delete, "/hub/api/share-codes/alice/nb1?code=\(codes[0].code)", token: t.alice)
            #expect(byCode.status == 204)
            let again = try await h.request(.delete, "/hub/api/share-codes/alice/nb1?code=\(codes[0].code)", token: t.alice)
            #expect(again.status == 404 && again.json?["message"] == .string("No matching code found"))
            #expect(try await h.request(.delete, "/hub/api/share-codes/alice/nb1?id=\(codes[1].id)", token: t.alice).status == 204)
            let badID = try await h.request(.delete, "/hub/api/share-codes/alice/nb1?id=sc_x", token: t.alice)
            #expect(badID.status == 404 && badID.json?["message"] == .string("No code found matching id=sc_x"))
            // A code of another server is not reachable through this server's URL.
            let otherServer = try await h.request(.delete, "/hub/api/share-codes/alice/?code=\(codes[2].code)", token: t.alice)
            #expect(otherServer.status == 404)
            #expect(try await h.request(.delete, "/hub/api/share-codes/alice/nb1", token: t.alice).status == 204)
            #expect(try await h.request(.get, "/hub/api/share-codes/alice/nb1", token: t.alice).json?["items"] == .array([]))
        }
    }

    @Test("exchanging a code grants a share to the user, merges scopes, counts exchanges and applies at once")
    func exchange() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let m = try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice,
                                        json: .object(["scopes": .array([.string("read:servers")])])).json
            let code = try #require(m?["code"]?.stringValue)
            let bob = try #require(try await h.store.user(named: "bob"))
            #expect(try await !h.scopes(of: t.bob).contains("read:servers!server=alice/nb1"))
            let accepted = try await h.hub.exchangeShareCode(code, for: bob)
            #expect(accepted.owner == "alice" && accepted.serverName == "nb1" && accepted.serverURL == "/user/alice/nb1/")
            #expect(accepted.share.scopes == ["read:servers!server=alice/nb1"])
            #expect(try await h.scopes(of: t.bob).contains("read:servers!server=alice/nb1"))
            _ = try await h.request(.post, "/hub/api/shares/alice/nb1", token: t.alice, json: .object(["user": .string("bob")]))
            let twice = try await h.hub.exchangeShareCode(code, for: bob)
            #expect(twice.share.scopes == ["access:servers!server=alice/nb1", "read:servers!server=alice/nb1"])
            let listed = try await h.request(.get, "/hub/api/share-codes/alice/nb1", token: t.alice).json?["items"]?.arrayValue?.first
            #expect(listed?["exchange_count"] == .int(2))
            #expect(listed?["last_exchanged_at"]?.stringValue?.hasSuffix("Z") == true)
        }
    }

    @Test("exchange refuses unknown, expired and revoked codes, and the owner's own code")
    func exchangeRefusals() async throws {
        try await withHub { h in
            let t = try await h.sharingFixture()
            let bob = try #require(try await h.store.user(named: "bob"))
            let alice = try #require(try await h.store.user(named: "alice"))
            await #expect(throws: ShareCodeExchangeError.invalidCode) { _ = try await h.hub.exchangeShareCode("nope", for: bob) }
            let code = try #require(try await h.request(.post, "/hub/api/share-codes/alice/nb1", token: t.alice,
                                                        json: .object([:])).json?["code"]?.stringValue)
            await #expect(throws: ShareCodeExchangeError.ownServer) { _ = try await h.hub.exchangeShareCode(code, for: alice) }
            _ = try await h.request(.delete, "/hub/api/share-codes/alice/nb1", token: t.alice)
            await #expect(throws: ShareCodeExchangeError.invalidCode) { _ = try await h.hub.exchangeShareCode(code, for: bob) }
            // An expired code is never found.
            let server = try #require(try await h.store.server(userID: alice.id, name: "nb1"))
            let expired = try TokenGenerator.shareCode()
            _ = try await h.store.createShareCode(NewShareCode(
                serverID: server.id, prefix: String(expired.prefix(4)), hashed: try TokenHash(hashing: expired, origin: .generated).description,
                scopes: ["access:servers!server=alice/nb1"], expiresAt: Timestamp.now().adding(seconds: -1)))
            await #expect(throws: ShareCodeExchangeError.invalidCode) { _ = try await h.hub.exchangeShareCode(expired, for: bob) }
            #expect(try await h.store.shareDetails(.grantedToUser(bob.id, viaGroups: false)).total == 0)
        }
    }
}
