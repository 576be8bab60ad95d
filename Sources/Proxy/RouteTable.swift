// The proxy's routing table: CHP's key rules and longest-prefix matching, shared by the REST API
// (writers) and every event loop (readers). One mutex guards the trie and the key index; it is
// held only for an O(segments) walk or a single insert/remove, never across I/O.
import HTTP

/// Route keys as CHP normalises them.
public enum RouteKey {
    /// Adds a leading `/` and drops one trailing `/` (never from `/` itself). Input is already decoded.
    public static func normalize(_ decoded: String) -> String {
        var key = decoded
        if !key.hasPrefix("/") { key = "/" + key }
        if key.count > 1, key.hasSuffix("/") { key.removeLast() }
        return key
    }
}

/// The outcome of looking up a request path.
public struct RouteMatch: Sendable {
    /// The route that serves the request.
    public var route: Route
    /// How many leading segments of the request's path the route key covers (host excluded).
    public var pathSegments: Int
}

/// Thread-safe routing table with CHP semantics.
public final class RouteTable: @unchecked Sendable {
    private let lock = PThreadLock()
    private let trie = RouteTrie()
    private var byKey: [String: Route] = [:]

    public init() {}

    /// Number of routes.
    public var count: Int { lock.withLock { byKey.count } }

    /// Adds or replaces the route at `key` (decoded, normalised here); `last_activity` starts at `now`.
    @discardableResult
    public func add(key: String, data members: [(String, JSONValue)], now: Timestamp = .now()) -> Route {
        let normalized = RouteKey.normalize(key)
        let target = members.last(where: { $0.0 == "target" })?.1.stringValue ?? ""
        let route = Route(key: normalized, target: target, members: members, createdAt: now)
        let segments = RouteTrie.segments(of: normalized.utf8)
        lock.withLock {
            // Keys such as `/a` and `/a//` share a trie node; the newer one owns it.
            if let displaced = trie.insert(route, segments: segments), displaced.key != normalized {
                byKey[displaced.key] = nil
            }
            byKey[normalized] = route
        }
        return route
    }

    /// Removes the route at `key` (decoded); false if there was none.
    @discardableResult
    public func remove(key: String) -> Bool {
        let normalized = RouteKey.normalize(key)
        let segments = RouteTrie.segments(of: normalized.utf8)
        return lock.withLock {
            guard let route = byKey.removeValue(forKey: normalized) else { return false }
            trie.remove(route, segments: segments)
            // A dictionary never shrinks by itself: after a mass delete (100,000 routes) its empty
            // buckets would stay resident. Rebuilding at a quarter full keeps removal amortised O(1).
            if byKey.capacity > 1024 && byKey.count < byKey.capacity / 4 {
                byKey = Dictionary(uniqueKeysWithValues: byKey.map { ($0.key, $0.value) })
            }
            return true
        }
    }

    /// The route stored at exactly `key` (decoded).
    public func route(forKey key: String) -> Route? {
        let normalized = RouteKey.normalize(key)
        return lock.withLock { byKey[normalized] }
    }

    /// All routes ordered by key; with `inactiveSince`, only those whose activity is strictly older.
    public func routes(inactiveSince: Timestamp? = nil) -> [Route] {
        let all = lock.withLock { Array(byKey.values) }
        let selected = inactiveSince.map { cutoff in all.filter { $0.lastActivity < cutoff } } ?? all
        return selected.sorted { $0.key < $1.key }
    }

    /// Longest whole-segment match for an already decoded path (bytes of e.g. `/user/a b/tree`).
    /// With `host` (host routing), the host is the first segment of every key.
    public func match(decodedPath: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>? = nil) -> RouteMatch? {
        let found = lock.withLock { trie.longestMatch(decodedPath, leading: host) }
        guard let found else { return nil }
        return RouteMatch(route: found.route, pathSegments: host == nil ? found.segments : max(0, found.segments - 1))
    }
}
