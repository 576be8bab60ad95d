/// Limits and pooling for `HTTPClient`.
public struct HTTPClientConfiguration: Sendable {
    /// Longest time to establish a connection (TCP and, for https, the TLS handshake).
    public var connectTimeout: Duration = .seconds(10)
    /// Idle keep-alive connections kept per target on each event loop.
    public var maxIdleConnectionsPerTarget: Int = 64
    /// How long an idle pooled connection is kept before it is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// Verify https upstreams against the system CA store and their host name.
    public var tlsVerify: Bool = true
    /// Longest a request-body write may wait for an upstream that is not reading.
    public var writeTimeout: Duration = .seconds(60)
    /// Response parsing limits (status line, header size and count).
    public var limits: HTTPLimits = HTTPLimits()

    /// Defaults: 10 s connect, 64 idle per target per loop, 60 s idle, TLS verified.
    public init() {}
}

/// Why a client request failed.
public enum HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// No connection could be made (refused, unreachable, DNS failure).
    case connectFailed(String)
    /// Connecting or waiting for the response head took too long.
    case timedOut
    /// The upstream closed the connection before a complete response.
    case connectionClosed
    /// The upstream's response could not be parsed.
    case invalidResponse(String)
    /// TLS handshake or verification failed.
    case tls(String)
    /// The URL is not one the client can use.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .connectFailed(let why): return "connect failed: \(why)"
        case .timedOut: return "timed out"
        case .connectionClosed: return "connection closed by upstream"
        case .invalidResponse(let why): return "invalid response: \(why)"
        case .tls(let why): return "TLS: \(why)"
        case .invalidURL(let why): return "invalid URL: \(why)"
        }
    }
}

/// A response from `HTTPClient.send`.
public struct ClientResponse: Sendable {
    /// Status line and headers.
    public var head: ResponseHead
    /// The body as it arrives; reading it to the end returns the connection to the pool.
    public var body: RequestBody
    /// For 101 Switching Protocols: the raw upstream connection (bytes after the head included).
    public var upgraded: (any ByteStream)?
    /// The whole body, when it had fully arrived with the head (small responses): the connection is
    /// already back in its pool, and a proxy can answer head and body in one write. `body` yields
    /// the same bytes for callers that stream.
    public var completeBody: [UInt8]?

    public init(head: ResponseHead, body: RequestBody, upgraded: (any ByteStream)? = nil, completeBody: [UInt8]? = nil) {
        self.head = head; self.body = body; self.upgraded = upgraded; self.completeBody = completeBody
    }
}
