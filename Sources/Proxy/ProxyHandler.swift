// The public listener: health check, route lookup, forwarding with streamed bodies both ways,
// WebSocket tunnels, error pages, activity and the access log (contract §3–§5).
import HTTP
import HTTPTypes
import Logging

/// Forwards requests on the public port to the routed upstreams.
public struct ProxyHandler: HTTPHandler {
    let table: RouteTable
    let client: HTTPClient
    let options: ForwardingOptions
    let errors: ErrorPages
    let metrics: ProxyMetrics
    let logger: Logger

    /// `client` carries every upstream request (and error-target fetches).
    public init(table: RouteTable, client: HTTPClient, configuration: ProxyConfiguration, metrics: ProxyMetrics, logger: Logger) {
        self.table = table
        self.client = client
        self.options = ForwardingOptions(configuration)
        self.errors = ErrorPages(errorTarget: configuration.errorTarget, errorPath: configuration.errorPath,
                                 client: client, logger: logger)
        self.metrics = metrics
        self.logger = logger
    }

    public func handle(_ request: HTTPServerRequest) async throws -> HTTPServerResponse {
        let head = request.head
        if head.target == "/_chp_healthz", !head.isUpgrade {
            return HTTPServerResponse(status: .ok, headers: [.contentType: "application/json"], body: .bytes(Self.healthBody))
        }
        let started = MonotonicClock.now()
        if head.isUpgrade { metrics.requestsWs.increment() } else { metrics.requestsWeb.increment() }

        let host: Substring? = options.hostRouting ? head.value(ForwardedHeaders.host).map(ForwardedHeaders.hostWithoutPort) ?? "" : nil
        let decision = RequestRouting.decide(table, rawPath: head.path, host: host)
        metrics.findTarget.observe(microseconds: Self.micros(since: started))
        let match: RouteMatch
        switch decision {
        case .route(let found): match = found
        case .noRoute: return await fail(.notFound, request, started, reason: "no route")
        case .undecodablePath: return await fail(.internalServerError, request, started, reason: "undecodable path")
        }
        guard let upstream = match.route.upstream else {
            return await fail(.internalServerError, request, started, reason: "unsupported target \(match.route.target)")
        }

        // The engine writes headers as given: the framing header must match how the body is sent.
        // HTTP/1.0 clients may omit Host; the upstream still needs one (Node's http.request adds it too).
        let framing: BodyFraming = head.isUpgrade ? .none : head.framing
        // Usually the forwarded fields are written straight to bytes; custom headers and a client's
        // own X-Forwarded-* fields take the general path.
        let rawFields = options.customHeaders.isEmpty
            ? ForwardedHeaders.requestRaw(from: head, remoteHost: request.remoteHost, isTLS: request.isTLS,
                                          xForward: options.xForward, framing: framing, defaultHost: upstream.authority)
            : nil
        let upstreamHead = RequestHead(
            method: head.method,
            target: RequestRouting.upstreamTarget(rawTarget: head.target, match: match, targetPath: upstream.basePath[...],
                                                  includePrefix: options.includePrefix, prependPath: options.prependPath),
            version: .http1_1,
            headers: rawFields != nil ? HTTPFields()
                : ForwardedHeaders.request(from: head, remoteHost: request.remoteHost, isTLS: request.isTLS,
                                           xForward: options.xForward, customHeaders: options.customHeaders,
                                           framing: framing, defaultHost: upstream.authority),
            rawFields: rawFields,
            framing: framing, keepAlive: true, expectsContinue: false, isUpgrade: head.isUpgrade)

        let route = match.route
        // No body (most GETs): nothing to count, and no wrapper to allocate.
        let body = head.isUpgrade || framing == .none ? RequestBody.empty : ActivityCountingBody.wrap(request.body, route: route)
        let response: ClientResponse
        metrics.openRequests.increment()
        do {
            response = try await client.send(upstreamHead, body: body, to: upstream, responseTimeout: options.proxyTimeout)
        } catch {
            metrics.openRequests.decrement()
            return await fail(.serviceUnavailable, request, started, reason: "\(error)")
        }
        metrics.proxyLatency.observe(microseconds: Self.micros(since: started))
        metrics.requestsProxy.increment(status: response.head.status.code)

        if head.isUpgrade {
            metrics.openRequests.decrement()
            return WebSocketTunnel.response(for: response, route: route, request: request, started: started,
                                            metrics: metrics, logger: logger)
        }
        return stream(response, route: route, request: request, started: started)
    }

    /// Passes the upstream response through, body streamed chunk by chunk.
    func stream(_ response: ClientResponse, route: Route, request: HTTPServerRequest, started: UInt64) -> HTTPServerResponse {
        let status = response.head.status
        // Parsed upstream fields pass through as bytes; hop-by-hop ones and Content-Length are
        // dropped (the server frames the body), and the length is given back below when it counts.
        var headers = HTTPFields()  // not `[:]`: that literal allocates, even empty
        var raw: RawFields?
        if let received = response.head.rawFields {
            raw = received.forwardable()
            switch response.head.framing {
            case .contentLength(let length) where response.completeBody == nil:
                headers[.contentLength] = String(length)
            case .none:
                // HEAD and 304 answers declare the length of a body they do not carry.
                if let length = received.firstValue("content-length") { headers[.contentLength] = length }
            default:
                break
            }
        } else {
            headers = ForwardedHeaders.plainResponse(from: response.head.headers)
        }
        let method = request.head.method
        let path = request.head.path
        let metrics = self.metrics
        let logger = self.logger
        let noBody = response.head.framing == .none || method == .head
        if noBody {
            metrics.openRequests.decrement()
            if status.code < 300 { route.recordActivity() }
            Self.logAccess(logger, status.code, method, path, started)
            return HTTPServerResponse(status: status, headers: headers, rawFields: raw, body: .empty)
        }
        if let complete = response.completeBody, case .contentLength = response.head.framing {
            // Small response, already whole (the upstream connection is back in its pool): the
            // engine sends head and body in one write instead of streaming chunk by chunk.
            metrics.openRequests.decrement()
            if status.code < 300 { route.recordActivity() }
            Self.logAccess(logger, status.code, method, path, started)
            return HTTPServerResponse(status: status, headers: headers, rawFields: raw, body: .bytes(complete))
        }
        let upstreamBody = response.body
        return HTTPServerResponse(status: status, headers: headers, rawFields: raw, body: .stream { writer in
            defer { metrics.openRequests.decrement() }
            for try await chunk in upstreamBody { try await writer.write(chunk) }
            if status.code < 300 { route.recordActivity() }
            Self.logAccess(logger, status.code, method, path, started)
        })
    }

    /// Logs and answers a proxy failure (404 / 500 / 503); WebSocket requests get a bare status.
    func fail(_ status: HTTPResponse.Status, _ request: HTTPServerRequest, _ started: UInt64,
              reason: String) async -> HTTPServerResponse {
        metrics.requestsProxy.increment(status: status.code)
        logger.error("\(status.code) \(request.head.method.rawValue) \(request.head.path) \(reason)")
        if request.head.isUpgrade {
            // CHP #557: answer the upgrade plainly and close, never leave the socket open.
            return HTTPServerResponse(status: status, headers: [.contentLength: "0", .connection: "close"], body: .empty)
        }
        return await errors.response(status, rawURL: request.head.target)
    }

    static let healthBody = Array(#"{"status":"OK"}"#.utf8)

    /// `start` is a `MonotonicClock.now()` reading: plain integers, unlike `ContinuousClock`'s 128-bit durations.
    static func micros(since start: UInt64) -> Int { MonotonicClock.microseconds(since: start) }

    /// `<status> <METHOD> <path> <ms>`; the query string is never logged (it may carry tokens).
    static func logAccess(_ logger: Logger, _ status: Int, _ method: HTTPRequest.Method, _ path: Substring,
                          _ started: UInt64) {
        guard logger.logLevel <= .info else { return }
        let micros = micros(since: started)
        let ms = "\(micros / 1000).\(String(micros % 1000 / 10 + 100).dropFirst())ms"
        logger.info("\(status) \(method.rawValue) \(path) \(ms)")
    }
}

/// The forwarding switches, resolved once.
struct ForwardingOptions: Sendable {
    var hostRouting: Bool
    var xForward: Bool
    var includePrefix: Bool
    var prependPath: Bool
    var proxyTimeout: Duration?
    var customHeaders: [(name: HTTPField.Name, value: String)]

    init(_ c: ProxyConfiguration) {
        hostRouting = c.hostRouting
        xForward = c.xForward
        includePrefix = c.includePrefix
        prependPath = c.prependPath
        proxyTimeout = c.proxyTimeout
        customHeaders = c.customHeaders.compactMap { header in HTTPField.Name(header.name).map { ($0, header.value) } }
    }
}

/// A request body that records route activity on every chunk (CHP counts request data).
enum ActivityCountingBody {
    static func wrap(_ body: RequestBody, route: Route) -> RequestBody {
        let iterator = IteratorBox(body.makeAsyncIterator())
        return RequestBody(next: {
            let chunk = try await iterator.next()
            if chunk != nil { route.recordActivity() }
            return chunk
        })
    }

    /// The body is read by one task at a time; the box only carries the iterator between calls.
    final class IteratorBox: @unchecked Sendable {
        var iterator: RequestBody.AsyncIterator
        init(_ iterator: RequestBody.AsyncIterator) { self.iterator = iterator }
        func next() async throws -> [UInt8]? { try await iterator.next() }
    }
}
