import HTTPTypes

/// One upstream connection: writes a request, reads the response, and can be parked in its
/// loop's pool between exchanges. Loop-confined.
final class ClientConnection: @unchecked Sendable {
    let channel: SocketChannel
    let target: UpstreamTarget
    var parser: ResponseParser
    private var idleTimer: LoopTimer?
    /// Response bytes received during the current exchange (a retry is only safe before any).
    private(set) var receivedResponseBytes = false
    /// Body bytes handed to a successful write during the current exchange.
    private(set) var sentBodyBytes = false
    /// Body chunks beyond the first were taken from the caller's stream (they cannot be replayed).
    private(set) var pulledMoreBody = false

    init(channel: SocketChannel, target: UpstreamTarget, limits: HTTPLimits) {
        self.channel = channel
        self.target = target
        parser = ResponseParser(limits: limits)
    }

    var loop: EventLoop { channel.loop }

    // MARK: Pool parking

    /// The pool this connection is parked in (while parked).
    private unowned var parkedIn: ConnectionPool?
    /// Made once per connection, not per park: a busy connection parks after every exchange.
    private var watchIdle: (() -> Void)?

    /// Watches the idle connection: readable means the upstream closed it (or misbehaved), and
    /// `pool` drops it; so does the idle timeout. The pool outlives its parked connections.
    func park(idleForNanoseconds timeout: UInt64, in pool: ConnectionPool) {
        // The parser keeps its storage for the next exchange: it is at most 4 KiB (ParseBuffer
        // frees larger ones once drained), and reallocating it cost an allocation per request.
        parkedIn = pool
        // Made on the first park only. Not `x ?? { closure }`: that built the closure context on
        // every park and massif watched those contexts pile up (~100 bytes per proxied request).
        if idleTimer == nil { idleTimer = LoopTimer { [unowned self] in self.parkedIn?.remove(self) } }
        loop.arm(idleTimer!, at: MonotonicClock.deadline(afterNanoseconds: timeout, from: loop.now))
        if watchIdle == nil {
            watchIdle = { [unowned self] in
                // Stale edges (for bytes already read) are common; only real input or EOF kills it.
                if self.channel.handle.hasPendingInput() { self.parkedIn?.remove(self) }
            }
        }
        channel.handle.onReadable = watchIdle
        channel.handle.watchReadable()
    }

    /// Closes the connection for good; its idle timer leaves the loop's heap with it (a disarmed
    /// timer would otherwise stay queued until its old deadline, up to the pool's idle timeout).
    func close() {
        if let idleTimer { loop.cancel(idleTimer) }
        channel.close()
    }

    /// Leaves the pool for another exchange (the idle timer is only disarmed: O(1) per request).
    func unpark() {
        parkedIn = nil
        channel.handle.onReadable = nil
        if let idleTimer { loop.disarm(idleTimer) }
    }

    // MARK: Exchange

    /// Writes the request: head, then the body framed per `head.framing`. `first` is a body chunk
    /// already taken from `body` (kept by the caller so a retry can resend it).
    nonisolated(nonsending) func writeRequest(_ head: RequestHead, first: [UInt8]?, rest body: RequestBody?) async throws {
        receivedResponseBytes = false
        sentBodyBytes = false
        pulledMoreBody = false
        var buffer: [UInt8] = []
        HeadWriter.writeRequestHead(head, into: &buffer)
        switch head.framing {
        case .none, .untilClose:
            try await channel.write(buffer)
        case .contentLength(let length):
            var sent = first?.count ?? 0
            if let first { buffer.append(contentsOf: first) }
            try await channel.write(buffer)
            sentBodyBytes = sent > 0
            if let body {
                for try await chunk in body {
                    pulledMoreBody = true
                    sent += chunk.count
                    guard sent <= length else {
                        throw HTTPClientError.invalidResponse("request body longer than its Content-Length \(length)")
                    }
                    try await channel.write(chunk)
                    sentBodyBytes = true
                }
            }
            guard sent == length else {
                throw HTTPClientError.connectionClosed  // the request body ended early; the upstream cannot finish
            }
        case .chunked:
            if let first, !first.isEmpty { ChunkedEncoding.writeChunk(first, into: &buffer) }
            if body == nil { ChunkedEncoding.writeEnd(into: &buffer) }
            try await channel.write(buffer)
            sentBodyBytes = !(first ?? []).isEmpty
            if let body {
                for try await chunk in body where !chunk.isEmpty {
                    pulledMoreBody = true
                    var frame: [UInt8] = []
                    frame.reserveCapacity(chunk.count + 16)
                    ChunkedEncoding.writeChunk(chunk, into: &frame)
                    try await channel.write(frame)
                    sentBodyBytes = true
                }
                var end: [UInt8] = []
                ChunkedEncoding.writeEnd(into: &end)
                try await channel.write(end)
            }
        }
    }

    /// Reads until the final response head (interim 1xx skipped; 101 is final), within `deadline`.
    nonisolated(nonsending) func readHead(method: HTTPRequest.Method, deadline: UInt64?) async throws -> ResponseHead {
        parser.expectResponse(toMethod: method)
        var head: ResponseHead?
        while true {
            while let event = try nextEvent(atEOF: false) {
                switch event {
                case .head(let received):
                    head = received
                case .end:
                    guard let received = head else { throw HTTPClientError.invalidResponse("end before head") }
                    if received.status.code == 101 { return received }
                    head = nil  // an interim 1xx: the real response follows
                case .body(let bytes):
                    // First body bytes: hand the head back and keep the bytes for the body reader.
                    guard let received = head else { throw HTTPClientError.invalidResponse("body before head") }
                    pendingBody = bytes
                    return received
                }
                if let received = head, received.status.code >= 200 { return received }
            }
            let received = try await channel.read(deadline: deadline) { bytes in parser.feed(bytes); return true }
            if received == nil {
                // Closed before a final head: nothing usable (partial heads are as bad as none).
                throw receivedResponseBytes ? HTTPClientError.invalidResponse("connection closed mid-head")
                                            : HTTPClientError.connectionClosed
            }
            receivedResponseBytes = true
        }
    }

    /// A body chunk read together with the head, delivered first by the body reader.
    var pendingBody: [UInt8]?
    /// The upstream closed; the parser must be finished with `finishAtEOF`.
    var eofSeen = false

    func nextEvent(atEOF: Bool) throws -> ResponseParser.Event? {
        do {
            return atEOF ? try parser.finishAtEOF() : try parser.next()
        } catch {
            throw HTTPClientError.invalidResponse(error.reason)
        }
    }

    /// The next body chunk, nil at the end of the body.
    nonisolated(nonsending) func readBodyChunk() async throws -> [UInt8]? {
        if let pending = pendingBody {
            pendingBody = nil
            return pending
        }
        while true {
            if let event = try nextEvent(atEOF: eofSeen) {
                switch event {
                case .body(let bytes): return bytes
                case .end: return nil
                case .head: throw HTTPClientError.invalidResponse("unexpected head in body")
                }
            }
            if eofSeen { throw HTTPClientError.connectionClosed }
            let received = try await channel.read(deadline: nil) { bytes in parser.feed(bytes); return true }
            if received == nil { eofSeen = true }
        }
    }

    /// Whether the connection can carry another exchange after a complete response; consumes the
    /// parser's leftovers (stray bytes past a response make a connection unusable).
    func finishForReuse() -> Bool {
        if channel.isClosed || eofSeen { return false }
        return parser.takeBufferedBytes().isEmpty
    }
}
