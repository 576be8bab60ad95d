/// Streams one response body off a client connection and, at a clean end, parks the connection
/// in its loop's pool. A body abandoned before its end closes the connection instead.
final class ClientBodyReader: @unchecked Sendable {
    private var connection: ClientConnection?
    private let pool: ConnectionPool
    private let keepAlive: Bool
    private var buffered: [UInt8]?
    private var finished = false

    init(connection: ClientConnection, pool: ConnectionPool, keepAlive: Bool) {
        self.connection = connection
        self.pool = pool
        self.keepAlive = keepAlive
    }

    deinit {
        // Dropped mid-body: the connection's framing is unknown now; close rather than reuse
        // (on its loop: the last reference may go away on any thread).
        guard let connection, !finished else { return }
        let loop = connection.loop
        if loop.inEventLoop {
            connection.close()
        } else {
            nonisolated(unsafe) let abandoned = connection
            loop.execute { abandoned.close() }
        }
    }

    /// Most body bytes gathered up front: a bigger body is streamed (flat memory for downloads).
    static let prefetchLimit = 64 * 1024

    /// Takes what is already buffered without waiting; a body that is complete ends the exchange
    /// early (the connection goes back to the pool) and is returned whole. Nil when more must be read.
    func prefetch() throws -> [UInt8]? {
        guard let connection else { return nil }
        var gathered = connection.pendingBody
        connection.pendingBody = nil
        defer { buffered = gathered }
        while (gathered?.count ?? 0) <= Self.prefetchLimit, let event = try connection.nextEvent(atEOF: false) {
            switch event {
            case .body(let bytes):
                if gathered == nil { gathered = bytes } else { gathered!.append(contentsOf: bytes) }
            case .end:
                finish(keepingBuffered: gathered != nil)
                return gathered ?? []
            case .head:
                throw HTTPClientError.invalidResponse("unexpected head in body")
            }
        }
        return nil
    }

    func next() async throws -> [UInt8]? {
        guard let connection else { return nil }
        let loop = connection.loop
        if !loop.inEventLoop { return try await withTaskExecutorPreference(loop) { try await self.next() } }
        if let chunk = buffered {
            buffered = nil
            return chunk
        }
        if finished { return nil }
        do {
            if let chunk = try await connection.readBodyChunk() { return chunk }
        } catch {
            finished = true
            connection.close()
            self.connection = nil
            throw HTTPClient.clientError(error)
        }
        finish(keepingBuffered: false)
        return nil
    }

    /// The body ended: the connection goes back to the pool (or is closed). With buffered bytes
    /// still to hand out, the reference stays only so `next()` knows its loop.
    private func finish(keepingBuffered: Bool) {
        finished = true
        guard let connection else { return }
        if !keepingBuffered { self.connection = nil }
        if keepAlive && connection.finishForReuse() {
            pool.put(connection)
        } else {
            connection.close()
        }
    }
}
