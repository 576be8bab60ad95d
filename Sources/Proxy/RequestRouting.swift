// From a request's raw target to a route, and from a route back to the URL the upstream sees.
// Kept apart from the socket code so every rule of CHP's contract §3 is unit-testable.
import Glibc

/// What looking up a request found.
public enum RoutingDecision: Sendable {
    case route(RouteMatch)
    /// No route and no `/` catch-all → 404.
    case noRoute
    /// The path does not percent-decode (`/%`) → 500, as CHP.
    case undecodablePath
}

/// CHP's request-to-route rules.
public enum RequestRouting {
    /// Looks up `rawPath` (percent-encoded, no query). `host` (host routing) is the Host header
    /// without its port; pass nil when host routing is off.
    public static func decide(_ table: RouteTable, rawPath: Substring, host: Substring? = nil) -> RoutingDecision {
        var rawPath = rawPath
        let hostKey: Substring? = host.map { $0.isEmpty ? "undefined" : $0 }
        // Common case: nothing to decode, walk the request's own bytes without copying.
        let fast: RouteMatch?? = rawPath.withUTF8 { pathBytes in
            if let base = pathBytes.baseAddress, memchr(base, Int32(UInt8(ascii: "%")), pathBytes.count) != nil {
                return nil  // needs decoding
            }
            guard var hostKey else { return .some(table.match(decodedPath: pathBytes)) }
            return hostKey.withUTF8 { hostBytes in .some(table.match(decodedPath: pathBytes, host: hostBytes)) }
        }
        if let result = fast { return result.map(RoutingDecision.route) ?? .noRoute }
        guard let decoded = PercentDecoding.decode(rawPath.utf8) else { return .undecodablePath }
        let match: RouteMatch? = decoded.withUnsafeBufferPointer { pathBytes in
            guard let hostKey else { return table.match(decodedPath: pathBytes) }
            let hostBytes = Array(hostKey.utf8)
            return hostBytes.withUnsafeBufferPointer { table.match(decodedPath: pathBytes, host: $0) }
        }
        return match.map(RoutingDecision.route) ?? .noRoute
    }

    /// How many raw bytes of `rawPath` the first `segments` decoded path segments occupy, so
    /// `--no-include-prefix` cuts `/b%40r/x` after `/b%40r` (CHP cuts by the decoded length).
    public static func rawPrefixLength(of rawPath: Substring, segments: Int) -> Int {
        guard segments > 0 else { return 0 }
        let raw = Array(rawPath.utf8)
        let decoded = PercentDecoding.decode(raw) ?? raw
        let offsets = raw.contains(UInt8(ascii: "%")) ? PercentDecoding.rawOffsets(raw) : Array(0...raw.count)
        let slash = UInt8(ascii: "/")
        var i = 0
        while i < decoded.count, decoded[i] == slash { i += 1 }
        var remaining = segments
        while i < decoded.count {
            if decoded[i] == slash {
                remaining -= 1
                if remaining == 0 { break }
            }
            i += 1
        }
        return offsets[min(i, offsets.count - 1)]
    }

    /// The request-target sent upstream: the client's raw target (encoding and query untouched),
    /// minus the route prefix with `includePrefix == false`, under the target's own path with
    /// `prependPath == true`.
    public static func upstreamTarget(rawTarget: String, match: RouteMatch, targetPath: Substring,
                                      includePrefix: Bool, prependPath: Bool) -> String {
        var rest = Substring(rawTarget)
        if !includePrefix {
            let pathEnd = rest.firstIndex(of: "?") ?? rest.endIndex
            let cut = rawPrefixLength(of: rest[..<pathEnd], segments: match.pathSegments)
            rest = rest.utf8.dropFirst(cut).isEmpty ? "" : Substring(rest.utf8.dropFirst(cut))
        }
        let base = prependPath ? targetPath : ""
        // A target without a path of its own forwards the client's target as it is: no new string.
        if includePrefix, base.isEmpty || base == "/", rawTarget.utf8.first == UInt8(ascii: "/") { return rawTarget }
        return join(base, rest)
    }

    /// Joins a base path and a request target without doubling or losing the `/` between them.
    static func join(_ base: Substring, _ rest: Substring) -> String {
        let trimmedBase = base.hasSuffix("/") ? base.dropLast() : base
        if rest.isEmpty { return trimmedBase.isEmpty ? "/" : String(trimmedBase) }
        if rest.first == "?" { return (trimmedBase.isEmpty ? "/" : String(trimmedBase)) + rest }
        if rest.first == "/" { return String(trimmedBase) + rest }
        return String(trimmedBase) + "/" + rest
    }
}
