import Glibc
import Logging
import Synchronization

/// An HTTP/1.1 server on an `EventLoopGroup`: one listener per loop (or one handing out
/// connections), a task per connection on its loop, and graceful shutdown.
public final class HTTPServer: Sendable {
    let core: ServerCore

    /// A server that will answer every request with `handler`; call `start()` to listen.
    public init(configuration: ServerConfiguration, group: EventLoopGroup, handler: any HTTPHandler,
                logger: Logger = Logger(label: "pawshub.http.server")) {
        core = ServerCore(configuration: configuration, group: group, handler: handler, logger: logger)
    }

    /// Binds and starts accepting. Throws on a bad address, a port in use or unreadable TLS files.
    public func start() throws {
        try core.start()
    }

    /// The port actually bound (useful after binding port 0); 0 before `start()`.
    public var boundPort: Int { core.boundPort }

    /// Connections currently open.
    public var connectionCount: Int { core.openConnections.load(ordering: .relaxed) }

    /// Stops accepting, closes idle connections, lets in-flight requests finish until
    /// `gracePeriod` has passed, then closes whatever is left.
    public func shutdown(gracePeriod: Duration) async {
        await core.shutdown(gracePeriod: gracePeriod)
    }
}

/// The server's shared state. Per-loop parts (`perLoop`) are touched only on their loop.
final class ServerCore: @unchecked Sendable {
    let configuration: ServerConfiguration
    let group: EventLoopGroup
    let handler: any HTTPHandler
    let logger: Logger
    let openConnections = Atomic<Int>(0)
    private let lock = PThreadLock()
    private var port = 0                       // guarded by lock
    private var state = Lifecycle.idle         // guarded by lock
    private(set) var tlsContext: TLSContext?   // set in start(), read-only afterwards
    let perLoop: [LoopState]
    /// Per-request constants derived from `configuration` once: `Duration` math is 128-bit and
    /// string interpolation allocates, neither belongs on every request.
    let headerReadTimeoutNanos: UInt64
    let idleTimeoutNanos: UInt64
    let idleTaskLingerNanos: UInt64
    let keepAliveFieldValue: String

    enum Lifecycle { case idle, running, stopping }

    /// Connections and the acceptor that belong to one loop.
    final class LoopState: @unchecked Sendable {
        var connections: [ObjectIdentifier: ServerConnection] = [:]
        var acceptor: Acceptor?
    }

    init(configuration: ServerConfiguration, group: EventLoopGroup, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.handler = handler
        self.logger = logger
        perLoop = group.loops.map { _ in LoopState() }
        headerReadTimeoutNanos = MonotonicClock.nanoseconds(configuration.headerReadTimeout)
        idleTimeoutNanos = MonotonicClock.nanoseconds(configuration.idleTimeout)
        idleTaskLingerNanos = MonotonicClock.nanoseconds(configuration.idleTaskLinger)
        keepAliveFieldValue = "timeout=\(configuration.idleTimeout.components.seconds)"
    }

    var boundPort: Int { lock.withLock { port } }
    var isStopping: Bool { lock.withLock { state == .stopping } }

    func start() throws {
        try lock.withLock {
            guard state == .idle else { throw IOError.errno(EINVAL, "server already started") }
            state = .running
        }
        do {
            if let tls = configuration.tls { tlsContext = try TLSContext.server(tls) }
            if let path = configuration.unixSocketPath {
                try listen(on: .unix(path))
            } else {
                let addresses = try SocketAddress.resolve(configuration.host.isEmpty ? "0.0.0.0" : configuration.host,
                                                          port: configuration.port, passive: true)
                guard let address = addresses.first else { throw IOError.errno(EADDRNOTAVAIL, "no address") }
                try listen(on: address)
            }
        } catch {
            lock.withLock { state = .idle }
            throw error
        }
    }

    /// Binds the first listener (learning the port when 0 was asked), then the others on that port.
    private func listen(on requested: SocketAddress) throws {
        let loops = spreadsByReusePort(requested) ? group.loops : [group.loops[0]]
        var fds: [Int32] = []
        do {
            var address = requested
            if loops.count > 1 {
                // SO_REUSEPORT would let us silently share a port another server of ours holds; a
                // plain bind first fails with EADDRINUSE in that case (and picks the port for port 0).
                let probe = try Socket.listen(on: address, backlog: 1, reusePort: false)
                if let bound = Socket.localAddress(probe) { address = Self.address(requested, withPort: bound.port) }
                Glibc.close(probe)
            }
            for loop in loops {
                let fd = try Socket.listen(on: address, backlog: configuration.backlog, reusePort: loops.count > 1)
                fds.append(fd)
                if loop === loops[0], let bound = Socket.localAddress(fd) {
                    lock.withLock { port = bound.port }
                    address = Self.address(requested, withPort: bound.port)
                }
            }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        for (loop, fd) in zip(loops, fds) {
            let state = perLoop[loop.index]
            let spread = loops.count == 1 && group.loops.count > 1
            loop.execute { [self] in
                let acceptor = Acceptor(fd: fd, loop: loop, server: self, roundRobin: spread)
                state.acceptor = acceptor
                acceptor.resume()
            }
        }
        logger.info("listening", metadata: ["address": "\(Self.address(requested, withPort: boundPort))",
                                            "tls": "\(tlsContext != nil)"])
    }

    /// One SO_REUSEPORT listener per loop (TCP only), or a single listener that hands out connections.
    func spreadsByReusePort(_ address: SocketAddress) -> Bool {
        if case .unix = address { return false }
        return configuration.listenerPerLoop && group.loops.count > 1
    }

    private static func address(_ address: SocketAddress, withPort port: Int) -> SocketAddress {
        switch address {
        case .v4(var a): a.sin_port = in_port_t(UInt16(port).bigEndian); return .v4(a)
        case .v6(var a): a.sin6_port = in_port_t(UInt16(port).bigEndian); return .v6(a)
        case .unix: return address
        }
    }

    /// True when accepting one more connection would pass `maxConnections`.
    var atCapacity: Bool { openConnections.load(ordering: .relaxed) >= configuration.maxConnections }

    /// Starts serving an accepted socket on `loop` (called on `loop`).
    func startConnection(fd: Int32, remote: SocketAddress?, on loop: EventLoop) {
        if isStopping { Glibc.close(fd); return }
        var tls: TLSSession?
        if let tlsContext {
            do { tls = try TLSSession(context: tlsContext, fd: fd) } catch {
                logger.warning("TLS session failed", metadata: ["error": "\(error)"])
                Glibc.close(fd)
                return
            }
        }
        openConnections.add(1, ordering: .relaxed)
        let channel = SocketChannel(fd: fd, loop: loop, tls: tls)
        channel.writeTimeout = configuration.writeTimeout
        let connection = ServerConnection(server: self, channel: channel, remote: remote)
        let state = perLoop[loop.index]
        state.connections[ObjectIdentifier(connection)] = connection
        connection.start()
    }

    /// Bookkeeping when a connection has closed (called once, on its loop).
    func connectionEnded(_ connection: ServerConnection) {
        perLoop[connection.loop.index].connections[ObjectIdentifier(connection)] = nil
        let remaining = openConnections.subtract(1, ordering: .relaxed).newValue
        // A listener paused at capacity resumes once there is room again.
        if remaining == configuration.maxConnections - 1 {
            for (index, state) in perLoop.enumerated() {
                group.loops[index].execute { state.acceptor?.resume() }
            }
        }
    }

    func shutdown(gracePeriod: Duration) async {
        let wasRunning = lock.withLock { () -> Bool in
            defer { state = .stopping }
            return state == .running
        }
        guard wasRunning else { return }
        // Waiting runs on a loop's own timers so a saturated cooperative pool cannot stall shutdown.
        let loop = group.loops[0]
        await withTaskExecutorPreference(loop) {
            let deadline = MonotonicClock.deadline(after: gracePeriod)
            await forEachLoop { state in
                state.acceptor?.close()
                state.acceptor = nil
                for connection in state.connections.values { connection.beginShutdown() }
            }
            while openConnections.load(ordering: .relaxed) > 0 && MonotonicClock.now() < deadline {
                await loop.sleep(for: .milliseconds(5))
            }
            if let path = configuration.unixSocketPath { unlink(path) }
            let left = openConnections.load(ordering: .relaxed)
            if left > 0 {
                logger.info("closing connections still busy after the grace period", metadata: ["count": "\(left)"])
                await forEachLoop { state in
                    for connection in state.connections.values { connection.forceClose() }
                }
            }
        }
    }

    /// Runs `body` on every loop with that loop's state, one after the other.
    private func forEachLoop(_ body: @escaping @Sendable (LoopState) -> Void) async {
        for (index, loop) in group.loops.enumerated() {
            let state = perLoop[index]
            await withTaskExecutorPreference(loop) {
                await Self.onLoop(loop) { body(state) }
            }
        }
    }

    /// Runs a synchronous body on `loop`'s thread (the caller already prefers that loop's executor).
    private static func onLoop(_ loop: EventLoop, _ body: @escaping @Sendable () -> Void) async {
        if loop.inEventLoop { body(); return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            loop.execute { body(); continuation.resume() }
        }
    }
}
