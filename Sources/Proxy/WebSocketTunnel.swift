// The WebSocket (any Upgrade) path: after the upstream's 101 the proxy pipes raw bytes both ways,
// one task per direction, each awaiting its write before reading more (back-pressure), and closes
// both sockets as soon as either side ends. Only client→server data counts as route activity.
import HTTP
import HTTPTypes
import Logging

enum WebSocketTunnel {
    /// The answer to the client for the upstream's reply to a forwarded upgrade.
    static func response(for upstream: ClientResponse, route: Route, request: HTTPServerRequest,
                         started: UInt64, metrics: ProxyMetrics, logger: Logger) -> HTTPServerResponse {
        let status = upstream.head.status
        guard status == .switchingProtocols, let upstreamStream = upstream.upgraded else {
            // The upstream answered the upgrade with a plain response: pass it on, then close.
            logger.warning("\(status.code) \(request.head.method.rawValue) \(request.head.path) upstream refused the upgrade")
            var headers = ForwardedHeaders.response(from: upstream.head.headers, keepUpgrade: false)
            headers[.connection] = "close"
            let body = upstream.body
            return HTTPServerResponse(status: status, headers: headers, body: .stream { writer in
                for try await chunk in body { try await writer.write(chunk) }
            })
        }
        let headers = ForwardedHeaders.response(from: upstream.head.headers, keepUpgrade: true)
        let path = request.head.path
        return HTTPServerResponse(status: .switchingProtocols, headers: headers, body: .upgrade { client in
            metrics.openWebSockets.increment()
            defer { metrics.openWebSockets.decrement() }
            ProxyHandler.logAccess(logger, 101, request.head.method, path, started)
            let closedBy = await pipe(client: client, upstream: upstreamStream, route: route)
            logger.debug("WebSocket \(path) closed by the \(closedBy)")
        })
    }

    /// Copies bytes both ways until either side ends or fails, then closes both; returns which side ended first.
    static func pipe(client: any ByteStream, upstream: any ByteStream, route: Route) async -> String {
        await withTaskGroup(of: String.self) { group in
            group.addTask {
                await copy(from: client, to: upstream) { route.recordActivity() }
                return "client"
            }
            group.addTask {
                await copy(from: upstream, to: client) {}
                return "upstream"
            }
            let first = await group.next() ?? "client"
            await client.close()
            await upstream.close()
            group.cancelAll()
            await group.waitForAll()
            return first
        }
    }

    static func copy(from source: any ByteStream, to sink: any ByteStream, onData: @escaping @Sendable () -> Void) async {
        await ByteRelay.copy(from: source, to: sink, onData: onData)
    }
}
