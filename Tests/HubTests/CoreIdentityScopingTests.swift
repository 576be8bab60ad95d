import Store
import Synchronization
import Testing
@testable import Hub

@Suite("Identity cache: per-user invalidation and shared resolution")
struct CoreIdentityScopingTests {
    @Test("invalidating one user drops that user's cached identities only")
    func perUser() async throws {
        try await withHub { h in
            let alice = try await h.createUser("alice")
            try await h.createUser("bob")
            let ta = try await h.token(for: "alice")
            let tb = try await h.token(for: "bob")
            _ = try await h.hub.identify(token: ta)
            _ = try await h.hub.identify(token: tb)
            let ka = try #require(CredentialDigest(ta))
            let kb = try #require(CredentialDigest(tb))
            #expect(h.hub.identities.lookup(ka) != nil)
            #expect(h.hub.identities.lookup(kb) != nil)
            h.hub.identities.invalidate(user: alice.id)
            #expect(h.hub.identities.lookup(ka) == nil)
            #expect(h.hub.identities.lookup(kb) != nil)
            // A global invalidation still drops everyone.
            h.hub.identities.invalidate()
            #expect(h.hub.identities.lookup(kb) == nil)
        }
    }

    @Test("a user's identity resolved before that user's change is never served after it")
    func perUserRace() async throws {
        try await withHub { h in
            let alice = try await h.createUser("alice")
            let ta = try await h.token(for: "alice")
            let identity = try #require(try await h.hub.identify(token: ta))
            let key = try #require(CredentialDigest(ta))
            h.hub.identities.invalidate()
            let before = h.hub.identities.generation  // a resolution starts
            h.hub.identities.invalidate(user: alice.id)  // alice's server becomes ready meanwhile
            h.hub.identities.store(key, identity, generation: before)
            #expect(h.hub.identities.lookup(key) == nil)
            h.hub.identities.store(key, identity, generation: h.hub.identities.generation)
            #expect(h.hub.identities.lookup(key) != nil)
        }
    }

    @Test("concurrent misses for one credential resolve it once; after an invalidation a new resolution runs")
    func sharedResolution() async throws {
        let cache = IdentityCache()
        let key = try #require(CredentialDigest("service-token-0123456789abcdef"))
        let calls = Atomic<Int>(0)
        let resolve: @Sendable () async throws -> (Identity?, notAfter: ContinuousClock.Instant?) = {
            calls.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(50))
            return (nil, nil)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 { group.addTask { _ = try await cache.resolveShared(key, resolve: resolve) } }
            try await group.waitForAll()
        }
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(cache.lookup(key) != nil)  // stored for the next request
        cache.invalidate()
        _ = try await cache.resolveShared(key, resolve: resolve)
        #expect(calls.load(ordering: .relaxed) == 2)
    }

    @Test("a started server shows in its owner's whoami at once, while other callers' identities stay cached")
    func spawnRefreshesOwnerOnly() async throws {
        try await withServersHub { env in
            let alice = try await env.harness.createUser("alice")
            _ = try await env.harness.createUser("root", admin: true)
            let root = try await env.harness.token(for: "root")
            let ta = try await env.harness.token(for: "alice")
            let before = try await env.harness.request(.get, "/hub/api/user", token: ta)
            #expect(before.json?["servers"] == .object([:]))
            _ = try await env.harness.request(.get, "/hub/api/user", token: root)
            let rootKey = try #require(CredentialDigest(root))
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: root).status == 201)
            let after = try await env.harness.request(.get, "/hub/api/user", token: ta)
            #expect(after.json?["servers"]?[""]?["ready"] == .bool(true))
            #expect(env.hub.identities.lookup(rootKey) != nil)
            _ = alice
        }
    }
}
