import HTTPTypes
import Logging

/// One accepted connection: reads requests in order (pipelining answers in order by construction),
/// calls the handler, writes responses, enforces the timeouts. Runs as one task on its loop;
/// every field is touched only on that loop.
final class ServerConnection: @unchecked Sendable {
    enum Phase { case idle, active, upgraded }

    let server: ServerCore
    let channel: SocketChannel
    var parser: RequestParser
    let remoteHost: String
    let remotePort: Int
    private(set) var phase = Phase.idle
    /// Shutdown asked: finish the exchange in flight, then close.
    private(set) var closing = false

    var loop: EventLoop { channel.loop }
    var configuration: ServerConfiguration { server.configuration }

    init(server: ServerCore, channel: SocketChannel, remote: SocketAddress?) {
        self.server = server
        self.channel = channel
        parser = RequestParser(limits: server.configuration.limits)
        remoteHost = remote?.host ?? ""
        remotePort = remote?.port ?? 0
    }

    private var idleDeadline: UInt64?
    private var parkTimer: LoopTimer?
    private(set) var isParked = false
    private var ended = false

    /// Starts serving (on the connection's loop).
    func start() {
        Task(executorPreference: loop) { await self.run(resuming: false) }
    }

    /// Graceful shutdown: idle connections close now, busy ones after their response.
    func beginShutdown() {
        closing = true
        if phase == .idle { isParked ? end() : channel.close() }
    }

    /// End of the grace period: close whatever is left.
    func forceClose() { isParked ? end() : channel.close() }

    /// Closes the socket and tells the server, exactly once.
    private func end() {
        if ended { return }
        ended = true
        isParked = false
        if let parkTimer { loop.cancel(parkTimer) }
        channel.close()
        server.connectionEnded(self)
        loop.noteMemoryReleased()
    }

    private func run(resuming: Bool) async {
        do {
            var headStart: UInt64? = resuming ? nil : loop.now
            if !resuming, channel.tls != nil {
                try await channel.handshake(deadline: MonotonicClock.deadline(afterNanoseconds: server.headerReadTimeoutNanos, from: loop.now))
            }
            while !channel.isClosed && !closing {
                switch try await readHead(startedAt: headStart) {
                case .close:
                    end()
                    return
                case .park:
                    park()
                    return
                case .head(let head):
                    phase = .active
                    idleDeadline = nil
                    let keepAlive = try await exchange(head)
                    phase = .idle
                    headStart = nil
                    if !keepAlive { end(); return }
                }
            }
        } catch {
            logConnectionError(error)
        }
        end()
    }

    /// Ends the task while idle; the next input edge (or the idle deadline) picks the connection up.
    private func park() {
        isParked = true
        // Nothing is buffered: drop the parser's storage so an idle connection costs little memory.
        // (Busy connections keep theirs, at most 4 KiB, instead of reallocating it per request.)
        parser = RequestParser(limits: configuration.limits)
        let timer = parkTimer ?? LoopTimer {}
        timer.action = { [unowned self] in self.end() }
        parkTimer = timer
        loop.arm(timer, at: idleDeadline ?? loop.now)
        channel.handle.onReadable = { [unowned self] in self.unpark() }
        loop.noteMemoryReleased()
    }

    private func unpark() {
        guard isParked else { return }
        isParked = false
        channel.handle.onReadable = nil
        if let parkTimer { loop.disarm(parkTimer) }
        Task(executorPreference: loop) { await self.run(resuming: true) }
    }

    private func logConnectionError(_ error: any Error) {
        switch error {
        case IOError.closed, IOError.connectionReset, IOError.timedOut: break
        default:
            server.logger.debug("connection ended", metadata: ["peer": "\(remoteHost):\(remotePort)", "error": "\(error)"])
        }
    }

    // MARK: Request heads

    enum HeadOutcome {
        case head(RequestHead)
        /// Close now: clean EOF, idle timeout, shutdown, or an error already answered.
        case close
        /// Idle past the task linger with nothing pending: park without a task.
        case park
    }

    /// Waits for the next request head, answering unusable ones (400/408/414/431/501/505) itself.
    nonisolated(nonsending) private func readHead(startedAt: UInt64?) async throws -> HeadOutcome {
        var headDeadline = startedAt.map { MonotonicClock.deadline(afterNanoseconds: server.headerReadTimeoutNanos, from: $0) }
        while true {
            let event: RequestParser.Event?
            do { event = try parser.next() } catch {
                try await writeErrorResponse(error.status, error.reason)
                return .close
            }
            if let event {
                if case .head(let head) = event { return .head(head) }
                // Body events here would mean the previous body was not consumed; never expected.
                try await writeErrorResponse(.internalServerError, "unexpected request state")
                return .close
            }
            let isIdle = !parser.isMidMessage && headDeadline == nil
            var deadline: UInt64?
            if isIdle {
                if closing { return .close }
                let idleEnd = idleDeadline ?? MonotonicClock.deadline(afterNanoseconds: server.idleTimeoutNanos, from: loop.now)
                idleDeadline = idleEnd
                deadline = min(idleEnd, MonotonicClock.deadline(afterNanoseconds: server.idleTaskLingerNanos, from: loop.now))
            } else {
                if headDeadline == nil {
                    headDeadline = MonotonicClock.deadline(afterNanoseconds: server.headerReadTimeoutNanos, from: loop.now)
                }
                deadline = headDeadline
            }
            let received: Bool?
            do {
                received = try await channel.read(deadline: deadline) { bytes in parser.feed(bytes); return true }
            } catch IOError.timedOut {
                if !isIdle {
                    try await writeErrorResponse(.requestTimeout, "request head not received in time")
                    return .close
                }
                if let idleEnd = idleDeadline, MonotonicClock.now() >= idleEnd { return .close }
                if channel.handle.readReady { continue }  // input raced the timer: read it
                return .park
            } catch IOError.closed {
                return .close
            }
            if received == nil { return .close }  // peer closed (mid-head or between requests)
        }
    }

    // MARK: Exchanges

    /// Serves one request; returns whether the connection stays open for another.
    nonisolated(nonsending) private func exchange(_ head: RequestHead) async throws -> Bool {
        let body = ServerBodyReader(connection: self, head: head)
        let request = HTTPServerRequest(
            head: head, body: RequestBody(next: { try await body.next() }),
            remoteHost: remoteHost, remotePort: remotePort, isTLS: channel.tls != nil)
        var response: HTTPServerResponse
        var mustClose = false
        do {
            response = try await server.handler.handle(request)
        } catch let error as BodyTooLarge {
            response = Self.textResponse(.contentTooLarge, "request body larger than \(error.limit) bytes")
        } catch {
            if let failure = body.failure {
                // The body itself failed: the stream is unusable, so answer (if possible) and close.
                mustClose = true
                switch failure {
                case let parse as HTTPParseError: response = Self.textResponse(parse.status, parse.reason)
                case IOError.timedOut: response = Self.textResponse(.requestTimeout, "request body not received in time")
                default: body.finishExchange(); return false
                }
            } else {
                server.logger.error("handler failed", metadata: [
                    "method": "\(head.method.rawValue)", "path": "\(head.path)", "error": "\(error)"])
                response = Self.textResponse(.internalServerError, "internal server error")
            }
        }
        var keepAlive = head.keepAlive && !closing && !mustClose && body.failure == nil
        if keepAlive && !body.isFinished && !body.canDrain(limit: configuration.maxDrainBytes) {
            keepAlive = false
        }
        keepAlive = try await writeResponse(response, to: head, keepAlive: keepAlive, body: body)
        if keepAlive && !body.isFinished {
            keepAlive = await body.drain(limit: configuration.maxDrainBytes)
        }
        body.finishExchange()
        return keepAlive && !closing
    }

    /// A short plain-text response (errors).
    static func textResponse(_ status: HTTPResponse.Status, _ message: String) -> HTTPServerResponse {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return HTTPServerResponse(status: status, headers: headers, body: .bytes(Array("\(message)\n".utf8)))
    }

    /// Answers an unusable request and leaves the connection to be closed.
    nonisolated(nonsending) private func writeErrorResponse(_ status: HTTPResponse.Status, _ message: String) async throws {
        let head = RequestHead(method: .get, target: "/", version: .http1_1, keepAlive: false)
        phase = .active
        _ = try await writeResponse(Self.textResponse(status, message), to: head, keepAlive: false, body: nil)
    }

    /// Marks the connection as handed to an upgrade closure.
    func markUpgraded() { phase = .upgraded }
}
