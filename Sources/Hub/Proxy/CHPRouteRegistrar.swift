// Routes on an external configurable-http-proxy (or `pawshub proxy`) through its REST API, the way JupyterHub's
// own proxy client calls it: `Authorization: token …`, POST expects 201, DELETE treats 404 as done, connection
// errors and 5xx are retried with backoff for up to 30 s, at most 10 calls in flight.
import HTTP
import HTTPTypes
import Logging
import Synchronization

/// A `RouteRegistrar` for a CHP-compatible REST API.
public struct CHPRouteRegistrar: RouteRegistrar {
    /// The API base (`http://proxy-api:8001`), without a trailing `/`.
    public let apiURL: String
    let authToken: String?
    let http: any OutgoingHTTP
    let limiter: ConcurrencyLimiter
    let logger: Logger
    /// How long a call keeps retrying connection errors and 5xx answers.
    let retryBudget: Duration

    /// A client for the API at `apiURL` (trailing `/` ignored) authenticating with `authToken`.
    public init(apiURL: String, authToken: String?, http: any OutgoingHTTP, logger: Logger,
                retryBudget: Duration = .seconds(30), maxInFlight: Int = 10) {
        var base = apiURL
        while base.hasSuffix("/") { base.removeLast() }
        self.apiURL = base
        self.authToken = authToken
        self.http = http
        self.limiter = ConcurrencyLimiter(limit: maxInFlight)
        self.logger = logger
        self.retryBudget = retryBudget
    }

    public func add(_ spec: RouteSpec, target: String, data: [String: JSONValue]) async throws {
        var body = data.filter { $0.key != "last_activity" }
        body["target"] = .string(target)
        body["jupyterhub"] = .bool(true)
        let response = try await call(.post, spec.chpPath, body: Array(JSONValue.object(body).jsonText.utf8))
        guard response.status == 201 || response.status == 200 else {
            throw ProxyError("proxy refused route \(spec): \(response.status) \(Self.snippet(response.body))")
        }
    }

    public func delete(_ spec: RouteSpec) async throws {
        let response = try await call(.delete, spec.chpPath, body: [])
        switch response.status {
        case 200..<300: return
        case 404: logger.warning("Route \(spec) already deleted")
        default: throw ProxyError("proxy refused to delete route \(spec): \(response.status) \(Self.snippet(response.body))")
        }
    }

    public func all() async throws -> [RouteSpec: ProxyRoute] {
        let response = try await call(.get, "", body: [])
        guard response.status == 200 else {
            throw ProxyError("proxy route listing failed: \(response.status) \(Self.snippet(response.body))")
        }
        guard case .object(let table)? = try? JSONValue.parse(response.body) else {
            throw ProxyError("proxy route listing is not a JSON object")
        }
        var routes: [RouteSpec: ProxyRoute] = [:]
        for (key, value) in table {
            guard case .object(var data) = value, data["jupyterhub"] != nil else { continue }
            let target = data.removeValue(forKey: "target")?.stringValue ?? ""
            data.removeValue(forKey: "jupyterhub")
            let spec = RouteSpec(chpKey: key)
            routes[spec] = ProxyRoute(spec: spec, target: target, data: data)
        }
        return routes
    }

    /// One API call with JupyterHub's retry rules: connection errors and 5xx retried (0.1 s doubling, 5 s cap)
    /// until `retryBudget`; other answers returned as they are.
    func call(_ method: HTTPRequest.Method, _ path: String, body: [UInt8]) async throws -> OutgoingResponse {
        // Routespec paths are already escaped, so they go into the URL as they are.
        let url = apiURL + "/api/routes" + path
        var headers: HTTPFields = [:]
        if let authToken { headers[.authorization] = "token \(authToken)" }
        if !body.isEmpty { headers[.contentType] = "application/json" }
        let clock = ContinuousClock()
        let deadline = clock.now + retryBudget
        var pause = Duration.milliseconds(100)
        while true {
            var failure: String
            do {
                let response = try await limiter.run {
                    try await http.send(method, url: url, headers: headers, body: body, timeout: .seconds(20))
                }
                if response.status < 500 { return response }
                failure = "status \(response.status)"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = "\(error)"
            }
            guard clock.now + pause < deadline else {
                throw ProxyError("proxy API \(method.rawValue) \(path.isEmpty ? "/" : path) failed: \(failure)")
            }
            logger.warning("proxy API request failed, retrying", metadata: ["error": "\(failure)"])
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }

    static func snippet(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(200), as: UTF8.self)
    }
}

/// Bounds concurrent calls (JupyterHub allows 10 requests in flight to the proxy).
final class ConcurrencyLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>

    init(limit: Int) { state = Mutex(State(available: max(1, limit))) }

    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.available > 0 { state.available -= 1; return true }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty { state.available += 1; return nil }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
