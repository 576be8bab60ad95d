/// Idle keep-alive connections of one event loop, per endpoint, most recently used first out.
/// Parked connections are watched: an upstream that closes one (or sends stray bytes) gets it
/// dropped at once, and none outlives the idle timeout. Loop-confined.
final class ConnectionPool: @unchecked Sendable {
    /// A short list searched linearly: a loop talks to few upstreams at once, and comparing a
    /// couple of small strings is cheaper than hashing them on every request.
    private var idle: [(endpoint: UpstreamTarget.Endpoint, connections: [ClientConnection])] = []
    private let configuration: HTTPClientConfiguration
    private(set) var isShutDown = false

    /// The idle timeout in nanoseconds, converted once (every exchange parks its connection).
    private let idleTimeoutNanos: UInt64

    init(configuration: HTTPClientConfiguration) {
        self.configuration = configuration
        idleTimeoutNanos = MonotonicClock.nanoseconds(configuration.idleTimeout)
    }

    private func slot(_ endpoint: UpstreamTarget.Endpoint) -> Int? {
        idle.firstIndex { $0.endpoint == endpoint }
    }

    /// An idle connection to `target`, if one is parked.
    func take(_ target: UpstreamTarget) -> ClientConnection? {
        guard let index = slot(target.endpoint) else { return nil }
        while let connection = idle[index].connections.popLast() {
            connection.unpark()
            if !connection.channel.isClosed { return connection }
        }
        return nil
    }

    /// Parks a connection whose exchange ended cleanly, or closes it when the pool is full.
    func put(_ connection: ClientConnection) {
        guard !isShutDown else {
            connection.close()
            return
        }
        let endpoint = connection.target.endpoint
        let index: Int
        if let existing = slot(endpoint) {
            index = existing
        } else {
            idle.append((endpoint, []))
            index = idle.count - 1
        }
        guard idle[index].connections.count < configuration.maxIdleConnectionsPerTarget else {
            connection.close()
            return
        }
        idle[index].connections.append(connection)
        connection.park(idleForNanoseconds: idleTimeoutNanos, in: self)
    }

    /// Drops a parked connection that died or idled out (called by the connection's watchers).
    func remove(_ connection: ClientConnection) {
        connection.unpark()
        connection.close()
        guard let index = slot(connection.target.endpoint) else { return }
        idle[index].connections.removeAll { $0 === connection }
        if idle[index].connections.isEmpty { idle.remove(at: index) }
    }

    /// Idle connections parked right now (tests, metrics).
    var idleCount: Int { idle.reduce(0) { $0 + $1.connections.count } }

    /// Closes every idle connection and refuses new ones.
    func shutdown() {
        isShutDown = true
        for entry in idle { for connection in entry.connections { connection.unpark(); connection.close() } }
        idle = []
    }
}
