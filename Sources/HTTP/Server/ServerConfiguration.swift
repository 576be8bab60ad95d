/// How an `HTTPServer` listens and how long it waits for peers. Defaults follow Go's net/http and
/// configurable-http-proxy where they differ from zero.
public struct ServerConfiguration: Sendable {
    /// Address to bind: `0.0.0.0`, `::` (IPv4 and IPv6), `127.0.0.1`, `[::1]`, `localhost`, or "" for all IPv4.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (read it back from `HTTPServer.boundPort`).
    public var port: Int = 8000
    /// Listen on this Unix-domain socket path instead of `host`/`port` (the file is replaced).
    public var unixSocketPath: String? = nil
    /// Listen backlog (pending connections the kernel queues per listener).
    public var backlog: Int = 1024
    /// Open connections above which the server stops accepting until some close.
    public var maxConnections: Int = 100_000
    /// Request-line, header-size and header-count limits (414 / 431).
    public var limits: HTTPLimits = HTTPLimits()
    /// Time allowed to receive a complete request head (slowloris guard): 408 and close.
    public var headerReadTimeout: Duration = .seconds(30)
    /// Time a keep-alive connection may sit idle between requests before it is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// How long an idle keep-alive connection keeps its task before parking it: a parked
    /// connection costs a few hundred bytes instead of a suspended task, and its next request
    /// starts a new task (about a microsecond). Busy connections never park. Short: a client
    /// under load sends its next request within milliseconds, and 10,000 idle clients should not
    /// keep 10,000 suspended tasks (a few KiB each) for long.
    public var idleTaskLinger: Duration = .milliseconds(100)
    /// Longest gap between request-body bytes while a handler reads the body: 408.
    public var bodyReadTimeout: Duration = .seconds(60)
    /// Longest a response write may wait for a peer that is not reading: the connection is closed.
    public var writeTimeout: Duration = .seconds(60)
    /// Send `Keep-Alive: timeout=<idle seconds>` on keep-alive responses (configurable-http-proxy does).
    public var keepAliveHeader: Bool = false
    /// Gzip text, JSON, HTML, JavaScript, CSS and SVG bodies of at least 1 KiB when the client accepts it
    /// and the handler set no `Content-Encoding`.
    public var compressResponses: Bool = false
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    public var tls: TLSConfiguration? = nil
    /// Most request-body bytes read and discarded after a handler answered without reading the body,
    /// to keep the connection; beyond it the connection is closed instead.
    public var maxDrainBytes: Int = 256 * 1024
    /// Listen with one `SO_REUSEPORT` socket per loop (the kernel spreads connections by hash);
    /// by default one listener on the first loop hands connections to the loops round-robin, which
    /// measured the same here, spreads evenly, and drops no queued connection at shutdown.
    public var listenerPerLoop: Bool = false

    /// Defaults: 127.0.0.1:8000.
    public init() {}

    /// Defaults with the given address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
