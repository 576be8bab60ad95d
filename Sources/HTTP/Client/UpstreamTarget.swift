/// Where the client sends requests: `http://host:port/base`, `https://host/base`, or
/// `http+unix://%2Fpath%2Fto.sock/base` (a Unix-domain socket, path percent-encoded).
public struct UpstreamTarget: Sendable, Hashable, CustomStringConvertible {
    /// `http`, `https` or `http+unix`.
    public var scheme: String
    /// Host name or address without brackets (`::1`); `localhost` for Unix sockets.
    public var host: String
    /// TCP port (scheme default when absent); 0 for Unix sockets.
    public var port: Int
    /// Socket path for `http+unix`, else nil.
    public var unixSocketPath: String?
    /// Path of the target URL without trailing slash ("" for none); the query is not part of it.
    public var basePath: String

    /// Parses a target URL; throws `HTTPClientError.invalidURL` when it is not one of the forms above.
    public init(url: String) throws {
        let (target, _) = try UpstreamTarget.parse(url)
        self = target
    }

    /// What a connection is made to: targets differing only in base path share pooled connections.
    struct Endpoint: Hashable {
        var scheme: String
        var host: String
        var port: Int
        var unixSocketPath: String?
    }

    var endpoint: Endpoint { Endpoint(scheme: scheme, host: host, port: port, unixSocketPath: unixSocketPath) }

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
        self.scheme = scheme; self.host = host; self.port = port
        self.unixSocketPath = unixSocketPath; self.basePath = basePath
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
