import Store
import Testing
@testable import Hub

@Suite("Identity cache")
struct CoreIdentityCacheTests {
    let key = CredentialDigest("0123456789abcdef0123456789abcdef")!
    let other = CredentialDigest("fedcba9876543210fedcba9876543210")!

    @Test("a fresh entry hits; invalidation and TTL expiry make it miss; negatives are cached too")
    func lifecycle() async throws {
        let cache = IdentityCache(ttl: .milliseconds(200))
        #expect(cache.lookup(key) == nil)
        cache.store(key, nil, generation: cache.generation)
        let hit = try #require(cache.lookup(key))
        #expect(hit == nil)  // a cached "not a valid token"
        cache.invalidate()
        #expect(cache.lookup(key) == nil)
        cache.store(other, nil, generation: cache.generation)
        try await Task.sleep(for: .milliseconds(300))
        #expect(cache.lookup(other) == nil)
    }

    @Test("an entry resolved before a concurrent write is never served after it")
    func raceWithWrite() {
        let cache = IdentityCache()
        let before = cache.generation   // resolution starts
        cache.invalidate()              // a role is revoked meanwhile
        cache.store(key, nil, generation: before)
        #expect(cache.lookup(key) == nil)
    }

    @Test("the cache stays bounded")
    func bounded() {
        let cache = IdentityCache(capacity: 10)
        for i in 0..<50 { cache.store(CredentialDigest("token-\(i)")!, nil, generation: cache.generation) }
        #expect(cache.count <= 10)
    }

    @Test("the key is the SHA-256 of the token, not the token")
    func digest() {
        #expect(CredentialDigest("a") == CredentialDigest("a"))
        #expect(CredentialDigest("a") != CredentialDigest("b"))
        // SHA-256("abc") starts with ba7816bf8f01cfea.
        #expect(CredentialDigest("abc")?.a == 0xba78_16bf_8f01_cfea)
    }
}
