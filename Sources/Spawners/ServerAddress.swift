// Where a started single-user server listens. The proxy target and the readiness probe are built from it, so it
// is kept as parts (not free text) and only turned into a URL in one place, with IPv6 hosts bracketed.

/// The scheme, host and port of a running single-user server (no path: the hub appends the server's prefix).
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// A host name or IP address, without brackets for IPv6.
    public var host: String
    /// The TCP port, 1–65535.
    public var port: Int

    /// An address from its parts; `scheme` must be `http` or `https` and `port` 1–65535.
    public init(scheme: String = "http", host: String, port: Int) throws(SpawnerError) {
        guard scheme == "http" || scheme == "https" else {
            throw SpawnerError("server URL scheme must be http or https, got '\(scheme)'")
        }
        guard !host.isEmpty else { throw SpawnerError("server address has an empty host") }
        guard (1...65535).contains(port) else { throw SpawnerError("server port must be 1–65535, got \(port)") }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses `http://host:port` (an optional trailing `/` is allowed; any other path is refused because the
    /// hub, not the address, decides which path a server is reached at). A missing port means 80 or 443.
    public init(url text: String) throws(SpawnerError) {
        let schemeEnd = text.firstRange(of: "://")
        guard let schemeEnd else { throw SpawnerError("server URL '\(text)' has no scheme (expected http://host:port)") }
        let scheme = String(text[..<schemeEnd.lowerBound]).lowercased()
        var rest = text[schemeEnd.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else {
            throw SpawnerError("server URL '\(text)' must be scheme://host:port without a path")
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw SpawnerError("server URL '\(text)' has an unclosed IPv6 host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw SpawnerError("server URL '\(text)' is malformed after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        let port: Int
        if let portText {
            guard let parsed = Int(portText), portText.allSatisfy(\.isASCII) else {
                throw SpawnerError("server URL '\(text)' has an invalid port '\(portText)'")
            }
            port = parsed
        } else {
            port = scheme == "https" ? 443 : 80
        }
        try self.init(scheme: scheme, host: String(host), port: port)
    }

    /// `scheme://host:port` with IPv6 hosts in brackets and no trailing slash: the proxy route target.
    public var url: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }

    public var description: String { url }
}
