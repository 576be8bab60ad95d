import Dispatch
import Glibc
import HTTPTypes
@testable import HTTP

/// Starts a server on 127.0.0.1 with an ephemeral port, runs `body`, then shuts everything down.
func withServer(_ configure: (inout ServerConfiguration) -> Void = { _ in },
                threads: Int = 2,
                handler: @escaping @Sendable (HTTPServerRequest) async throws -> HTTPServerResponse,
                _ body: (HTTPServer, Int) async throws -> Void) async throws {
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
    configure(&configuration)
    let group = try EventLoopGroup(threads: threads)
    let server = HTTPServer(configuration: configuration, group: group, handler: HandlerFunction(handler))
    try server.start()
    do {
        try await body(server, server.boundPort)
    } catch {
        await server.shutdown(gracePeriod: .milliseconds(100))
        group.shutdown()
        throw error
    }
    await server.shutdown(gracePeriod: .milliseconds(100))
    group.shutdown()
}

/// A handler answering `text` with 200.
func reply(_ text: String, status: HTTPResponse.Status = .ok) -> HTTPServerResponse {
    var headers = HTTPFields()
    headers[.contentType] = "text/plain"
    return HTTPServerResponse(status: status, headers: headers, body: .bytes(Array(text.utf8)))
}

/// A one-shot signal between a test and a handler running on a loop.
final class Gate: @unchecked Sendable {
    private let lock = PThreadLock()
    private var opened = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func open() {
        let toResume = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            opened = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in toResume { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = lock.withLock { () -> Bool in
                if opened { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Blocking wait for synchronous test code (polls; bounded).
    func waitBlocking(timeout: Duration = .seconds(2)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if lock.withLock({ opened }) { return true }
            usleep(1000)
        }
        return false
    }
}

/// Runs blocking socket code on a Dispatch thread, so the cooperative pool (two threads here,
/// shared by every test running in parallel) stays free for the code under test.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
