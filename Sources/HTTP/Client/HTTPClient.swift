import HTTPTypes
import Logging

/// A pooled, non-blocking HTTP/1.1 client for the proxy and the hub's outgoing calls. Each event
/// loop keeps its own idle connections, so a request made on a loop (the proxy path) never hops
/// threads.
public final class HTTPClient: Sendable {
    let group: EventLoopGroup
    let configuration: HTTPClientConfiguration
    private let pools: [ConnectionPool]
    private let tls = LazyTLS()
    private let logger: Logger

    /// A client whose connections live on `group`'s loops.
    public init(group: EventLoopGroup, configuration: HTTPClientConfiguration = .init(),
                logger: Logger = Logger(label: "pawshub.http.client")) {
        self.group = group
        self.configuration = configuration
        self.logger = logger
        pools = group.loops.map { _ in ConnectionPool(configuration: configuration) }
    }

    /// Sends `head` (its `target` is the full path+query to send, headers sent as given — caller sets Host)
    /// with `body` framed per `head.framing` (.contentLength passes bytes through, .chunked chunk-encodes,
    /// .none sends none). Returns once the response head arrives. `responseTimeout` bounds the wait for
    /// the head. For 101 the result carries the raw upstream stream.
    public func send(_ head: RequestHead, body: RequestBody, to target: UpstreamTarget,
                     responseTimeout: Duration?) async throws -> ClientResponse {
        let loop = group.currentOrNext()
        if loop.inEventLoop { return try await send(head, body: body, to: target, timeout: responseTimeout, on: loop) }
        return try await withTaskExecutorPreference(loop) {
            try await self.send(head, body: body, to: target, timeout: responseTimeout, on: loop)
        }
    }

    nonisolated(nonsending) private func send(_ head: RequestHead, body: RequestBody, to target: UpstreamTarget, timeout: Duration?,
                      on loop: EventLoop) async throws -> ClientResponse {
        let pool = pools[loop.index]
        if pool.isShutDown { throw HTTPClientError.connectFailed("client is shut down") }
        // The first chunk is taken up front: it goes out with the head in one write, and is kept for a retry.
        var iterator = body.makeAsyncIterator()
        let first: [UInt8]? = head.framing == .none ? nil : try await iterator.next()
        // The body's iterator is a view of one underlying stream: iterating `body` again continues after `first`.
        let rest: RequestBody? = (head.framing == .none || first == nil) ? nil : body
        var retried = false
        while true {
            let pooled = retried ? nil : pool.take(target)
            let connection: ClientConnection
            if let pooled {
                connection = pooled
            } else {
                let channel = try await ClientConnector.connect(to: target, on: loop, configuration: configuration,
                                                                tls: target.isTLS ? try tls.context(verify: configuration.tlsVerify) : nil)
                connection = ClientConnection(channel: channel, target: target, limits: configuration.limits)
            }
            do {
                return try await exchange(head, first: first, rest: rest, on: connection, pool: pool, timeout: timeout)
            } catch {
                connection.close()
                let replayable = !connection.pulledMoreBody
                let idempotent = [.get, .head, .options, .trace, .put, .delete].contains(head.method)
                if pooled != nil && !retried && replayable && !connection.receivedResponseBytes
                    && (idempotent || !connection.sentBodyBytes) && Self.isStaleConnectionError(error) {
                    logger.debug("retrying on a fresh connection", metadata: ["target": "\(target)", "error": "\(error)"])
                    retried = true
                    continue
                }
                throw Self.clientError(error)
            }
        }
    }

    nonisolated(nonsending) private func exchange(_ head: RequestHead, first: [UInt8]?, rest: RequestBody?, on connection: ClientConnection,
                          pool: ConnectionPool, timeout: Duration?) async throws -> ClientResponse {
        try await connection.writeRequest(head, first: first, rest: rest)
        let deadline = timeout.map { MonotonicClock.deadline(after: $0, from: connection.loop.now) }
        let responseHead = try await connection.readHead(method: head.method, deadline: deadline)
        if responseHead.status.code == 101 {
            let stream = ChannelByteStream(channel: connection.channel, initialBytes: connection.parser.takeBufferedBytes())
            return ClientResponse(head: responseHead, body: .empty, upgraded: stream)
        }
        let reader = ClientBodyReader(connection: connection, pool: pool,
                                      keepAlive: head.keepAlive && responseHead.keepAlive)
        // A body already complete (204, HEAD, small responses) releases the connection right away.
        let complete = try reader.prefetch()
        return ClientResponse(head: responseHead, body: RequestBody(next: { try await reader.next() }),
                              completeBody: complete)
    }

    /// Failures that mean "the pooled connection was already dead", where a retry is safe.
    private static func isStaleConnectionError(_ error: any Error) -> Bool {
        switch error {
        case HTTPClientError.connectionClosed, IOError.connectionReset, IOError.closed: return true
        default: return false
        }
    }

    static func clientError(_ error: any Error) -> any Error {
        switch error {
        case let clientError as HTTPClientError: return clientError
        case IOError.timedOut: return HTTPClientError.timedOut
        case IOError.connectionReset, IOError.closed: return HTTPClientError.connectionClosed
        case let tls as TLSError: return HTTPClientError.tls(tls.message)
        default: return error
        }
    }

    /// Closes idle pooled connections and refuses new requests.
    public func shutdown() async {
        for (index, loop) in group.loops.enumerated() {
            let pool = pools[index]
            await withTaskExecutorPreference(loop) {
                await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                    loop.execute {
                        pool.shutdown()
                        continuation.resume()
                    }
                }
            }
        }
    }

    /// Idle pooled connections across all loops (tests, metrics); approximate while requests run.
    func idleConnectionCount() async -> Int {
        var total = 0
        for (index, loop) in group.loops.enumerated() {
            let pool = pools[index]
            total += await withUnsafeContinuation { (continuation: UnsafeContinuation<Int, Never>) in
                loop.execute { continuation.resume(returning: pool.idleCount) }
            }
        }
        return total
    }
}

/// The client TLS context, made on first https use (creation can fail; `HTTPClient.init` cannot).
private final class LazyTLS: @unchecked Sendable {
    private let lock = PThreadLock()
    private var contexts: [Bool: TLSContext] = [:]

    func context(verify: Bool) throws -> TLSContext {
        try lock.withLock {
            if let context = contexts[verify] { return context }
            let context = try TLSContext.client(verify: verify)
            contexts[verify] = context
            return context
        }
    }
}
