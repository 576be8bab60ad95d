/// Where the client sends requests: `http://host:port/base`, `https://host/base`, or
/// `http+unix://%2Fpath%2Fto.sock/base` (a Unix-domain socket, path percent-encoded).
public struct UpstreamTarget: Sendable, Hashable, CustomStringConvertible {
    /// The parsed parts live in one immutable object: the proxy copies a route's target several
    /// times per request, and a copy of five fields (four strings) cost a retain per string.
    private let parts: Parts

    private final class Parts: Sendable {
        let scheme: String
        let host: String
        let port: Int
        let unixSocketPath: String?
        let basePath: String
        let endpoint: Endpoint

        init(scheme: String, host: String, port: Int, unixSocketPath: String?, basePath: String) {
            self.scheme = scheme; self.host = host; self.port = port
            self.unixSocketPath = unixSocketPath; self.basePath = basePath
            endpoint = Endpoint(scheme: scheme, host: host, port: port, unixSocketPath: unixSocketPath)
        }
    }

    /// `http`, `https` or `http+unix`.
    public var scheme: String { parts.scheme }
    /// Host name or address without brackets (`::1`); `localhost` for Unix sockets.
    public var host: String { parts.host }
    /// TCP port (scheme default when absent); 0 for Unix sockets.
    public var port: Int { parts.port }
    /// Socket path for `http+unix`, else nil.
    public var unixSocketPath: String? { parts.unixSocketPath }
    /// Path of the target URL without trailing slash ("" for none); the query is not part of it.
    public var basePath: String { parts.basePath }

    /// Parses a target URL; throws `HTTPClientError.invalidURL` when it is not one of the forms above.
    public init(url: String) throws {
        let (target, _) = try UpstreamTarget.parse(url)
        self = target
    }

    public static func == (lhs: UpstreamTarget, rhs: UpstreamTarget) -> Bool {
        lhs.parts === rhs.parts || (lhs.endpoint == rhs.endpoint && lhs.basePath == rhs.basePath)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(endpoint)
        hasher.combine(basePath)
    }

    /// What a connection is made to: targets differing only in base path share pooled connections.
    /// Made once per target, so the pool's look-ups usually end at an identity check.
    final class Endpoint: Hashable, Sendable {
        let scheme: String
        let host: String
        let port: Int
        let unixSocketPath: String?

        init(scheme: String, host: String, port: Int, unixSocketPath: String?) {
            self.scheme = scheme; self.host = host; self.port = port; self.unixSocketPath = unixSocketPath
        }

        static func == (lhs: Endpoint, rhs: Endpoint) -> Bool {
            lhs === rhs || (lhs.port == rhs.port && lhs.host == rhs.host && lhs.scheme == rhs.scheme
                            && lhs.unixSocketPath == rhs.unixSocketPath)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(scheme); hasher.combine(host); hasher.combine(port); hasher.combine(unixSocketPath)
        }
    }

    var endpoint: Endpoint { parts.endpoint }

    /// Whether connections use TLS.
    public var isTLS: Bool { scheme == "https" }

    /// `host[:port]` as a `Host` header value (brackets around IPv6, port omitted when default).
    public var authority: String {
        if unixSocketPath != nil { return "localhost" }
        let name = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }

    public var description: String {
        if let unixSocketPath { return "http+unix://\(unixSocketPath)\(basePath)" }
        return "\(scheme)://\(authority)\(basePath)"
    }

    /// Splits a URL into its target and the request-target to send (`/path?query`, "/" when empty).
    static func parse(_ url: String) throws -> (UpstreamTarget, requestTarget: String) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            throw HTTPClientError.invalidURL("\(url): no scheme")
        }
        let scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" || scheme == "http+unix" else {
            throw HTTPClientError.invalidURL("\(url): unsupported scheme \(scheme)")
        }
        let rest: Substring = url[url.index(colon, offsetBy: 3)...]
        let authorityEnd: String.Index = rest.firstIndex(where: { (c: Character) -> Bool in c == "/" || c == "?" || c == "#" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        var pathAndQuery = String(rest[authorityEnd...])
        if let fragment = pathAndQuery.firstIndex(of: "#") { pathAndQuery = String(pathAndQuery[..<fragment]) }
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        guard !authority.isEmpty else { throw HTTPClientError.invalidURL("\(url): no host") }

        var host = authority
        var port = scheme == "https" ? 443 : 80
        var unixPath: String?
        if scheme == "http+unix" {
            guard let decoded = percentDecode(authority), decoded.hasPrefix("/") || decoded.hasPrefix(".") else {
                throw HTTPClientError.invalidURL("\(url): socket path must be percent-encoded, like %2Fpath.sock")
            }
            unixPath = decoded
            host = "localhost"
            port = 0
        } else {
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { throw HTTPClientError.invalidURL("\(url): bad IPv6 address") }
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { port = try parsePort(after.dropFirst(), url) } else if !after.isEmpty {
                    throw HTTPClientError.invalidURL("\(url): bad authority")
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                port = try parsePort(authority[authority.index(after: colon)...], url)
            }
            guard !host.isEmpty else { throw HTTPClientError.invalidURL("\(url): no host") }
        }
        let pathEnd = pathAndQuery.firstIndex(of: "?") ?? pathAndQuery.endIndex
        var basePath = String(pathAndQuery[..<pathEnd])
        while basePath.hasSuffix("/") { basePath.removeLast() }
        let target = UpstreamTarget(scheme: scheme, host: host, port: port, unixSocketPath: unixPath, basePath: basePath)
        let requestTarget = pathAndQuery.isEmpty ? "/" : (pathAndQuery.hasPrefix("?") ? "/" + pathAndQuery : pathAndQuery)
        return (target, requestTarget)
    }

    private init(scheme: String, host: String, port: Int, unixSocketPath: String?, basePath: String) {
        parts = Parts(scheme: scheme, host: host, port: port, unixSocketPath: unixSocketPath, basePath: basePath)
    }

    private static func parsePort(_ text: Substring, _ url: String) throws -> Int {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let port = Int(text), (1...65535).contains(port) else {
            throw HTTPClientError.invalidURL("\(url): bad port")
        }
        return port
    }

    private static func percentDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
