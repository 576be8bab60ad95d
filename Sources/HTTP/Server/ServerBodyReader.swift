import HTTPTypes

/// Reads one request's body for the handler, straight from the connection's parser: the socket is
/// read only when the handler asks (back-pressure). Sends `100 Continue` on the first read when the
/// client is waiting for it. After the exchange, leftover body is drained (bounded) or the
/// connection closed.
final class ServerBodyReader: @unchecked Sendable {
    private let connection: ServerConnection
    // Only what reading needs from the head (a copy of the whole head is a dozen retains).
    private let framing: BodyFraming
    private let expectsContinue: Bool
    private(set) var isFinished: Bool
    private(set) var bytesRead = 0
    private var continueSent = false
    private var exchangeOver = false
    /// Why reading failed (parse error, timeout, disconnect); the exchange must then close.
    private(set) var failure: (any Error)?

    init(connection: ServerConnection, head: RequestHead) {
        self.connection = connection
        self.framing = head.framing
        self.expectsContinue = head.expectsContinue
        // A request without a body is done at once (its `.end` event is skipped, not produced).
        isFinished = connection.parser.skipEmptyBody()
    }

    /// Whether a 100 Continue went out (else a waiting client never sent the body).
    var sentContinue: Bool { continueSent }

    /// The next chunk, nil at the end. Hops onto the connection's loop when called elsewhere.
    func next() async throws -> [UInt8]? {
        let loop = connection.loop
        if loop.inEventLoop { return try await nextOnLoop() }
        return try await withTaskExecutorPreference(loop) { try await self.nextOnLoop() }
    }

    nonisolated(nonsending) private func nextOnLoop() async throws -> [UInt8]? {
        if isFinished { return nil }
        if exchangeOver { throw IOError.closed }  // the handler kept the body past its response
        if let failure { throw failure }
        do {
            return try await readChunk(deadlineAfter: connection.configuration.bodyReadTimeout)
        } catch {
            failure = error
            throw error
        }
    }

    nonisolated(nonsending) private func readChunk(deadlineAfter timeout: Duration) async throws -> [UInt8]? {
        while true {
            if let event = try connection.parser.next() {
                switch event {
                case .body(let bytes):
                    bytesRead += bytes.count
                    return bytes
                case .end:
                    isFinished = true
                    return nil
                case .head:
                    throw HTTPParseError(status: .badRequest, reason: "request body framing lost")
                }
            }
            if expectsContinue && !continueSent {
                continueSent = true
                try await connection.channel.write(Self.continueLine)
            }
            let deadline = MonotonicClock.deadline(after: timeout, from: connection.loop.now)
            let received = try await connection.channel.read(deadline: deadline) { bytes in
                connection.parser.feed(bytes)
                return true
            }
            if received == nil { throw IOError.connectionReset }
        }
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Whether the unread rest of the body may be drained to keep the connection: never when the
    /// client still waits for 100 Continue (it may not send the body at all), never past `limit`.
    func canDrain(limit: Int) -> Bool {
        if isFinished || framing == .none { return true }
        if expectsContinue && !continueSent { return false }
        if case .contentLength(let length) = framing { return length - bytesRead <= limit }
        return true
    }

    /// Reads and discards the rest of the body, up to `limit` bytes; true when it ended in time.
    nonisolated(nonsending) func drain(limit: Int) async -> Bool {
        var discarded = 0
        let timeout = min(connection.configuration.bodyReadTimeout, .seconds(5))
        do {
            while let chunk = try await readChunk(deadlineAfter: timeout) {
                discarded += chunk.count
                if discarded > limit { return false }
            }
            return true
        } catch {
            return false
        }
    }

    /// The response is done: later reads by a handler that kept the body fail instead of
    /// stealing the next request's bytes.
    func finishExchange() { exchangeOver = true }
}
