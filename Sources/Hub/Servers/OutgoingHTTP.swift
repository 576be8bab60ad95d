// The hub's outgoing HTTP calls (readiness probes, an external proxy's REST API) go through one small protocol,
// so tests can answer them in-process and production uses the engine's pooled client on its own event loop.
import HTTP
import HTTPTypes
import Synchronization

/// A complete response to an outgoing request (probe and proxy API bodies are small).
public struct OutgoingResponse: Sendable {
    public var status: Int
    public var headers: HTTPFields
    public var body: [UInt8]

    public init(status: Int, headers: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }
}

/// Sends one HTTP request and returns the whole response.
public protocol OutgoingHTTP: Sendable {
    /// Sends `method url` with `headers` and `body`; `timeout` bounds the wait for the response head.
    /// Throws on connection failures and timeouts.
    func send(_ method: HTTPRequest.Method, url: String, headers: HTTPFields, body: [UInt8],
              timeout: Duration) async throws -> OutgoingResponse
}

/// The engine's pooled client on a one-thread event loop of its own, created on first use (most hubs in tests
/// never call out) and closed by `shutdown()`.
public final class PooledOutgoingHTTP: OutgoingHTTP {
    private struct Resources: Sendable {
        let group: EventLoopGroup
        let client: HTTPClient
    }
    private let resources = Mutex<Resources?>(nil)
    private let closed = Mutex(false)

    public init() {}

    private func client() throws -> HTTPClient {
        try resources.withLock { resources in
            if let existing = resources { return existing.client }
            let group = try EventLoopGroup(threads: 1)
            let client = HTTPClient(group: group)
            resources = Resources(group: group, client: client)
            return client
        }
    }

    public func send(_ method: HTTPRequest.Method, url: String, headers: HTTPFields, body: [UInt8],
                     timeout: Duration) async throws -> OutgoingResponse {
        guard !closed.withLock({ $0 }) else { throw HTTPClientError.connectionClosed }
        let (head, bytes) = try await client().request(method: method, url: url, headers: headers, body: body, timeout: timeout)
        return OutgoingResponse(status: head.status.code, headers: head.headers, body: bytes)
    }

    /// Closes pooled connections and stops the loop thread.
    public func shutdown() async {
        closed.withLock { $0 = true }
        guard let taken = resources.withLock({ resources -> Resources? in
            defer { resources = nil }
            return resources
        }) else { return }
        await taken.client.shutdown()
        taken.group.shutdown()
    }
}
