// Everything `pawshub proxy` (and the hub's embedded proxy) is configured with, with CHP's
// defaults. A value type so the hub can build one in code and the command line can fill one in.

/// Settings of a proxy instance; defaults are configurable-http-proxy's.
public struct ProxyConfiguration: Sendable {
    /// Public listener address; empty or `*` means all interfaces.
    public var ip: String = ""
    /// Public port (8000); 0 picks a free port (logged once bound).
    public var port: Int = 8000
    /// Serve the REST API; the hub's embedded proxy may drive `ProxyServer.table` directly instead.
    public var apiEnabled = true
    /// REST API address (`localhost`).
    public var apiIP: String = "localhost"
    /// REST API port; nil means public port + 1.
    public var apiPort: Int?
    /// Added as route `/` at start.
    public var defaultTarget: String?
    /// Error pages fetched from `<errorTarget>/<code>?url=…`.
    public var errorTarget: String?
    /// Directory of `<code>.html` / `error.html` error pages.
    public var errorPath: String?
    /// Client socket inactivity timeout per request (CHP `--timeout`, ms); nil = none.
    public var timeout: Duration?
    /// Deadline for the upstream's response head (CHP `--proxy-timeout`, ms); nil = none.
    public var proxyTimeout: Duration?
    /// How long an idle client keep-alive connection stays open.
    public var keepAliveTimeout: Duration = .milliseconds(5000)
    /// Event loops (threads) of a standalone `pawshub proxy` (`--threads`, a PawsHub addition).
    /// One by default, like configurable-http-proxy's single Node process: one loop carries
    /// ~50,000 proxied requests/s on this class of machine, and a proxy that shares its cores
    /// with the hub and notebook servers loses more to wake-ups and preemption across threads
    /// than it gains (measured in bench/proxy). Give more loops to a proxy with cores of its own.
    public var threads = 1
    /// Route on `/<host>/<path>` instead of `/<path>`.
    public var hostRouting = false
    /// Add `X-Forwarded-*` headers.
    public var xForward = true
    /// Keep the matched route prefix in the forwarded path.
    public var includePrefix = true
    /// Prepend the target's own path to the forwarded path.
    public var prependPath = true
    /// Request headers set on every proxied request (override the client's).
    public var customHeaders: [(name: String, value: String)] = []
    /// Metrics listener address; empty means all interfaces.
    public var metricsIP: String = ""
    /// Metrics port; nil disables metrics.
    public var metricsPort: Int?
    /// PEM private key and certificate for TLS on the public listener.
    public var sslKey: String?
    public var sslCert: String?
    /// `CONFIGPROXY_AUTH_TOKEN`; nil or empty leaves the REST API open.
    public var authToken: String?
    /// File to write the process id to (removed on exit).
    public var pidFile: String?

    public init() {}

    /// The REST API port in effect.
    public var effectiveAPIPort: Int { apiPort ?? (port == 0 ? 0 : port + 1) }

    /// Checks combinations CHP rejects; the error text is the one line printed before exiting.
    public func validate() throws(ProxyConfigurationError) {
        if errorTarget != nil, errorPath != nil {
            throw ProxyConfigurationError("--error-target and --error-path cannot both be set")
        }
        if (sslKey == nil) != (sslCert == nil) {
            throw ProxyConfigurationError("--ssl-key and --ssl-cert must be given together")
        }
        for (name, value) in [("--port", port), ("--api-port", effectiveAPIPort), ("--metrics-port", metricsPort ?? 0)] {
            guard (0...65535).contains(value) else { throw ProxyConfigurationError("\(name) \(value) is not a port number") }
        }
        for (flag, url) in [("--default-target", defaultTarget), ("--error-target", errorTarget)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("http+unix://")
                          || url.hasPrefix("unix+http://")) {
                throw ProxyConfigurationError("\(flag) \(url) is not an http(s) URL")
            }
        }
    }

    /// Parses `name:value` as CHP's `--custom-header` does (split at the first colon, trimmed).
    public static func parseCustomHeader(_ text: String) throws(ProxyConfigurationError) -> (name: String, value: String) {
        guard let colon = text.firstIndex(of: ":") else {
            throw ProxyConfigurationError("A colon was expected in custom header: \(text)")
        }
        let name = text[..<colon].trimmingSpaces
        let value = text[text.index(after: colon)...].trimmingSpaces
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
            throw ProxyConfigurationError("Invalid header name in custom header: \(text)")
        }
        guard value.utf8.allSatisfy({ $0 != 0x0A && $0 != 0x0D && $0 != 0 }) else {
            throw ProxyConfigurationError("Invalid header value in custom header: \(text)")
        }
        return (name, value)
    }
}

/// A configuration mistake, phrased for the one-line error the command prints.
public struct ProxyConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
