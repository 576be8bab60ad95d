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
        // Dropped mid-body: the connection's framing is unknown now; close rather than reuse.
        if let connection, !finished { connection.channel.close() }
    }

    /// Reads what is already buffered without waiting; ends the exchange early when the body is complete.
    func prefetch() async throws {
        guard let connection else { return }
        if connection.pendingBody != nil { return }
        if let event = try connection.nextEvent(atEOF: false) {
            switch event {
            case .body(let bytes): buffered = bytes
            case .end: finish()
            case .head: throw HTTPClientError.invalidResponse("unexpected head in body")
            }
        }
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
            connection.channel.close()
            self.connection = nil
            throw HTTPClient.clientError(error)
        }
        finish()
        return nil
    }

    private func finish() {
        finished = true
        guard let connection else { return }
        if buffered == nil { self.connection = nil }
        if keepAlive && connection.finishForReuse() {
            pool.put(connection)
        } else {
            connection.channel.close()
        }
    }
}
