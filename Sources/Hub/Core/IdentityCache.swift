// Resolved identities kept in memory for a few seconds, keyed by SHA-256 of the token (never the
// token itself). A generation counter, bumped by every write that can change what a token may do
// (roles, groups, memberships, shares, tokens, users), makes older entries unusable at once, so a
// revoked role shrinks every cached token immediately instead of after the TTL. A change that only touches one
// user's own model (a server of theirs started) invalidates just that user's entries, so a spawn storm does not
// make every other caller — services with 16,384-round hashed tokens above all — resolve again.
import CSystem
import Store
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
        /// The owning user, for per-user invalidation (nil: a service, or a negative entry).
        var user: UserID?
    }

    private struct State {
        var entries: [CredentialDigest: Entry] = [:]
        /// Generation below which a user's entries are stale (set by `invalidate(user:)`).
        var userFloors: [UserID: UInt64] = [:]
    }

    private let state = Mutex(State())
    /// Resolutions in flight by key (see `resolveShared`).
    private let flights = Mutex<(nextID: UInt64, byKey: [CredentialDigest: Flight])>((0, [:]))

    private struct Flight {
        let id: UInt64
        let generation: UInt64
        let task: Task<Identity?, any Error>
    }
    /// Ticks on every invalidation; resolutions record the value they started at.
    private let counter = Atomic<UInt64>(0)
    /// Entries resolved before this generation are stale for everyone.
    private let globalFloor = Atomic<UInt64>(0)
    private let ttl: Duration
    private let capacity: Int

    init(ttl: Duration = .seconds(5), capacity: Int = 20_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The current generation; read it *before* resolving, so a write racing the resolution wins.
    var generation: UInt64 { counter.load(ordering: .acquiring) }

    /// Entries held (live or not yet evicted).
    var count: Int { state.withLock { $0.entries.count } }

    /// Makes every cached entry stale.
    func invalidate() {
        let now = counter.add(1, ordering: .acquiringAndReleasing).newValue
        globalFloor.max(now, ordering: .releasing)
    }

    /// Makes the cached entries of `user`'s own credentials stale (their models changed, nobody's rights did).
    func invalidate(user: UserID) {
        let now = counter.add(1, ordering: .acquiringAndReleasing).newValue
        let floor = globalFloor.load(ordering: .acquiring)
        state.withLock { state in
            state.userFloors[user] = now
            // Floors at or below the global one say nothing more; drop them before they pile up.
            if state.userFloors.count > 4096 { state.userFloors = state.userFloors.filter { $0.value > floor } }
        }
    }

    private static func owner(_ identity: Identity?) -> UserID? {
        if case .user(let snapshot)? = identity?.owner { return snapshot.user.id }
        return nil
    }

    private func isLive(_ entry: Entry, in state: State, floor: UInt64, at now: ContinuousClock.Instant) -> Bool {
        guard entry.generation >= floor, entry.expires > now else { return false }
        guard let user = entry.user, let userFloor = state.userFloors[user] else { return true }
        return entry.generation >= userFloor
    }

    /// `.some(identity-or-nil)` on a fresh hit, nil on a miss.
    func lookup(_ key: CredentialDigest) -> Identity?? {
        let now = ContinuousClock.now
        let floor = globalFloor.load(ordering: .acquiring)
        return state.withLock { state -> Identity?? in
            guard let entry = state.entries[key] else { return nil }
            guard isLive(entry, in: state, floor: floor, at: now) else {
                state.entries[key] = nil
                return nil
            }
            return .some(entry.identity)
        }
    }

    /// Resolves a missed `key` once for every concurrent caller and stores the result: without this, a burst of
    /// requests with one cold credential (a service token: 16,384 SHA-512 rounds) would each hash it. A caller joins
    /// a resolution in flight only if nothing was invalidated since it started, so no caller is answered from
    /// before its own request; otherwise it starts a fresh one. `resolve` returns the identity and an optional
    /// expiry bound for the entry.
    func resolveShared(_ key: CredentialDigest,
                       resolve: @escaping @Sendable () async throws -> (Identity?, notAfter: ContinuousClock.Instant?))
        async throws -> Identity?
    {
        let generation = self.generation
        let task = flights.withLock { table -> Task<Identity?, any Error> in
            if let flight = table.byKey[key], flight.generation == generation { return flight.task }
            let id = table.nextID
            table.nextID += 1
            let task = Task { [self] in
                defer { flights.withLock { if $0.byKey[key]?.id == id { $0.byKey[key] = nil } } }
                let (identity, notAfter) = try await resolve()
                store(key, identity, generation: generation, notAfter: notAfter)
                return identity
            }
            table.byKey[key] = Flight(id: id, generation: generation, task: task)
            return task
        }
        return try await task.value
    }

    /// Remembers a resolution made at `generation`, until `notAfter` at the latest (token expiry).
    func store(_ key: CredentialDigest, _ identity: Identity?, generation: UInt64, notAfter: ContinuousClock.Instant? = nil) {
        let now = ContinuousClock.now
        var expires = now + ttl
        if let notAfter, notAfter < expires { expires = notAfter }
        guard expires > now else { return }
        let floor = globalFloor.load(ordering: .acquiring)
        state.withLock { state in
            if state.entries.count >= capacity, state.entries[key] == nil {
                let snapshot = state
                state.entries = state.entries.filter { isLive($0.value, in: snapshot, floor: floor, at: now) }
                // Still full of live entries: start over rather than grow without bound.
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            }
            state.entries[key] = Entry(identity: identity, generation: generation, expires: expires, user: Self.owner(identity))
        }
    }
}
