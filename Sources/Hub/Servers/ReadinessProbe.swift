// After a spawner says where a server listens, the hub waits until it answers HTTP before routing users to it
// (contract §8): GET <url><prefix>api, any status below 500 counts, retried with exponential backoff
// (0.2 s doubling, capped at 5 s, never sleeping past the deadline) for up to http_timeout. A server that
// exits meanwhile fails the wait at once instead of burning the whole timeout.
import HTTPTypes
import Spawners

/// Why a started server never became reachable.
struct ProbeFailure: Error, Sendable, CustomStringConvertible {
    let description: String
}

/// Waits for a single-user server to answer HTTP.
struct ReadinessProbe: Sendable {
    let http: any OutgoingHTTP
    /// First pause between attempts; doubles up to `maxPause`.
    var firstPause: Duration = .milliseconds(200)
    var maxPause: Duration = .seconds(5)
    /// Per-attempt bound on waiting for a response head.
    var attemptTimeout: Duration = .seconds(5)

    /// Returns the server's `X-JupyterHub-Version` (nil when absent) once `url` answers below 500.
    /// `exited` is asked between attempts; a non-nil exit status ends the wait with a failure.
    func waitUntilUp(url: String, timeout: Duration, exited: @Sendable () async -> Int?) async throws -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause = firstPause
        var lastProblem = "no answer"
        while true {
            try Task.checkCancellation()
            let remaining = deadline - clock.now
            do {
                let response = try await http.send(.get, url: url, headers: [:], body: [],
                                                   timeout: min(attemptTimeout, max(remaining, .milliseconds(50))))
                if response.status < 500 {
                    return HTTPField.Name("X-JupyterHub-Version").flatMap { response.headers[$0] }
                }
                lastProblem = "status \(response.status)"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastProblem = "\(error)"
            }
            if let status = await exited() {
                throw ProbeFailure(description: "server exited with status \(status) before answering at \(url)")
            }
            guard clock.now + pause < deadline else {
                throw ProbeFailure(description: "server never showed up at \(url) after "
                                   + "\(timeout.secondsText) seconds (\(lastProblem))")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, maxPause)
        }
    }
}
