// The segment trie behind route lookup. Children are found by a hash of the segment's bytes so
// a lookup never builds a String or Substring per segment: cost is O(segments in the path), flat
// in the number of routes. Not thread-safe; `RouteTable` guards it.

final class TrieNode {
    let segment: [UInt8]
    /// Children by segment hash; hash collisions chain through `nextInBucket`.
    var children: [UInt64: TrieNode] = [:]
    var nextInBucket: TrieNode?
    var childCount = 0
    var route: Route?

    init(segment: [UInt8]) { self.segment = segment }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    @inline(__always)
    func child(_ bytes: UnsafeBufferPointer<UInt8>) -> TrieNode? {
        var node = children[TrieNode.hash(bytes)]
        while let candidate = node {
            if candidate.segment.count == bytes.count,
               candidate.segment.withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) {
                return candidate
            }
            node = candidate.nextInBucket
        }
        return nil
    }

    func childOrInsert(_ segment: [UInt8]) -> TrieNode {
        if let existing = segment.withUnsafeBufferPointer({ child($0) }) { return existing }
        let node = TrieNode(segment: segment)
        let h = segment.withUnsafeBufferPointer { TrieNode.hash($0) }
        node.nextInBucket = children[h]
        children[h] = node
        childCount += 1
        return node
    }

    func removeChild(_ target: TrieNode) {
        let h = target.segment.withUnsafeBufferPointer { TrieNode.hash($0) }
        var previous: TrieNode?
        var node = children[h]
        while let candidate = node {
            if candidate === target {
                if let previous { previous.nextInBucket = candidate.nextInBucket } else { children[h] = candidate.nextInBucket }
                childCount -= 1
                // Mass deletes (all of /user/*) would otherwise leave a huge, empty bucket array resident.
                if children.capacity > 1024 && children.count < children.capacity / 4 {
                    children = Dictionary(uniqueKeysWithValues: children.map { ($0.key, $0.value) })
                }
                return
            }
            previous = candidate
            node = candidate.nextInBucket
        }
    }
}

/// The result of walking a path: the deepest route found and how far into the path it reaches.
struct TrieMatch {
    var route: Route
    /// Whole segments of the walked path the route's key covers.
    var segments: Int
}

struct RouteTrie {
    let root = TrieNode(segment: [])

    /// Splits like CHP: strip every leading and trailing `/`, then split on each `/`
    /// (inner empty segments are kept: `/a//b` has three).
    static func segments(of path: some Collection<UInt8>) -> [[UInt8]] {
        var bytes = Array(path)
        while bytes.first == UInt8(ascii: "/") { bytes.removeFirst() }
        while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        if bytes.isEmpty { return [] }
        return bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init)
    }

    /// Stores `route` at its key's node; returns the route it displaced, if any.
    func insert(_ route: Route, segments: [[UInt8]]) -> Route? {
        var node = root
        for segment in segments { node = node.childOrInsert(segment) }
        let previous = node.route
        node.route = route
        return previous
    }

    /// Clears `route` from its node and prunes nodes left with neither data nor children.
    func remove(_ route: Route, segments: [[UInt8]]) {
        var path: [TrieNode] = [root]
        for segment in segments {
            guard let next = segment.withUnsafeBufferPointer({ path[path.count - 1].child($0) }) else { return }
            path.append(next)
        }
        guard let last = path.last, last.route === route else { return }
        last.route = nil
        var index = path.count - 1
        while index > 0, path[index].route == nil, path[index].childCount == 0 {
            path[index - 1].removeChild(path[index])
            index -= 1
        }
    }

    /// The route of the node at exactly these segments.
    func exact(_ segments: [[UInt8]]) -> Route? {
        var node = root
        for segment in segments {
            guard let next = segment.withUnsafeBufferPointer({ node.child($0) }) else { return nil }
            node = next
        }
        return node.route
    }

    /// Longest whole-segment prefix of `path` (a decoded path) whose node has a route.
    /// `leading`, when given, is walked first as one extra segment (host routing).
    func longestMatch(_ path: UnsafeBufferPointer<UInt8>, leading: UnsafeBufferPointer<UInt8>? = nil) -> TrieMatch? {
        var node = root
        var best: TrieMatch? = root.route.map { TrieMatch(route: $0, segments: 0) }
        var depth = 0
        if let leading {
            guard let next = node.child(leading) else { return best }
            node = next
            depth = 1
            if let route = node.route { best = TrieMatch(route: route, segments: 1) }
        }
        var start = 0
        var end = path.count
        let slash = UInt8(ascii: "/")
        while start < end, path[start] == slash { start += 1 }
        while end > start, path[end - 1] == slash { end -= 1 }
        guard start < end, let base = path.baseAddress else { return best }
        var i = start
        while true {
            var j = i
            while j < end, path[j] != slash { j += 1 }
            guard let next = node.child(UnsafeBufferPointer(start: base + i, count: j - i)) else { return best }
            node = next
            depth += 1
            if let route = node.route { best = TrieMatch(route: route, segments: depth) }
            if j >= end { return best }
            i = j + 1
        }
    }
}
