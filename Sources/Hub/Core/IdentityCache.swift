// Resolved identities kept in memory for a few seconds, keyed by SHA-256 of the token (never the
// token itself). A generation counter, bumped by every write that can change what a token may do
// (roles, groups, memberships, shares, tokens, users), makes older entries unusable at once, so a
// revoked role shrinks every cached token immediately instead of after the TTL.
import CSystem
import Synchronization

/// SHA-256 of a credential: the cache key.
struct CredentialDigest: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// Hashes straight from the string's storage into a stack buffer (every token request computes one).
    init?(_ credential: String) {
        var credential = credential
        let words: (UInt64, UInt64, UInt64, UInt64)? = credential.withUTF8 { input in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out in
                guard csystem_sha256(input.baseAddress, input.count, out.baseAddress) == 1 else { return nil }
                func word(_ i: Int) -> UInt64 { out[i..<i + 8].reduce(0) { $0 << 8 | UInt64($1) } }
                return (word(0), word(8), word(16), word(24))
            }
        }
        guard let words else { return nil }
        (a, b, c, d) = words
    }
}

/// A bounded, generation-checked cache of token → identity (nil = the token is not valid).
final class IdentityCache: Sendable {
    private struct Entry {
        var identity: Identity?
        var generation: UInt64
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[CredentialDigest: Entry]>([:])
    private let counter = Atomic<UInt64>(0)
    private let ttl: Duration
    private let capacity: Int

    init(ttl: Duration = .seconds(5), capacity: Int = 20_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The current generation; read it *before* resolving, so a write racing the resolution wins.
    var generation: UInt64 { counter.load(ordering: .acquiring) }

    /// Entries held (live or not yet evicted).
    var count: Int { entries.withLock { $0.count } }

    /// Makes every cached entry stale.
    func invalidate() { counter.add(1, ordering: .releasing) }

    /// `.some(identity-or-nil)` on a fresh hit, nil on a miss.
    func lookup(_ key: CredentialDigest) -> Identity?? {
        let now = ContinuousClock.now
        let current = generation
        return entries.withLock { table -> Identity?? in
            guard let entry = table[key] else { return nil }
            guard entry.generation == current, entry.expires > now else {
                table[key] = nil
                return nil
            }
            return .some(entry.identity)
        }
    }

    /// Remembers a resolution made at `generation`, until `notAfter` at the latest (token expiry).
    func store(_ key: CredentialDigest, _ identity: Identity?, generation: UInt64, notAfter: ContinuousClock.Instant? = nil) {
        let now = ContinuousClock.now
        var expires = now + ttl
        if let notAfter, notAfter < expires { expires = notAfter }
        guard expires > now else { return }
        entries.withLock { table in
            if table.count >= capacity, table[key] == nil {
                let current = self.generation
                table = table.filter { $0.value.generation == current && $0.value.expires > now }
                // Still full of live entries: start over rather than grow without bound.
                if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            }
            table[key] = Entry(identity: identity, generation: generation, expires: expires)
        }
    }
}
