/// Idle keep-alive connections of one event loop, per target, most recently used first out.
/// Parked connections are watched: an upstream that closes one (or sends stray bytes) gets it
/// dropped at once, and none outlives the idle timeout. Loop-confined.
final class ConnectionPool: @unchecked Sendable {
    private var idle: [UpstreamTarget.Endpoint: [ClientConnection]] = [:]
    private let configuration: HTTPClientConfiguration
    private(set) var isShutDown = false

    init(configuration: HTTPClientConfiguration) {
        self.configuration = configuration
    }

    /// An idle connection to `target`, if one is parked.
    func take(_ target: UpstreamTarget) -> ClientConnection? {
        let endpoint = target.endpoint
        while var list = idle[endpoint], let connection = list.popLast() {
            idle[endpoint] = list.isEmpty ? nil : list
            connection.unpark()
            if !connection.channel.isClosed { return connection }
        }
        return nil
    }

    /// Parks a connection whose exchange ended cleanly, or closes it when the pool is full.
    func put(_ connection: ClientConnection) {
        var list = idle[connection.target.endpoint] ?? []
        guard !isShutDown, list.count < configuration.maxIdleConnectionsPerTarget else {
            connection.channel.close()
            return
        }
        list.append(connection)
        idle[connection.target.endpoint] = list
        connection.park(idleFor: configuration.idleTimeout) { [unowned self] dead in self.remove(dead) }
    }

    private func remove(_ connection: ClientConnection) {
        connection.channel.close()
        guard var list = idle[connection.target.endpoint] else { return }
        list.removeAll { $0 === connection }
        idle[connection.target.endpoint] = list.isEmpty ? nil : list
    }

    /// Idle connections parked right now (tests, metrics).
    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    /// Closes every idle connection and refuses new ones.
    func shutdown() {
        isShutDown = true
        for list in idle.values { for connection in list { connection.unpark(); connection.channel.close() } }
        idle = [:]
    }
}
