// Two waiting tools the server lifecycle needs and Swift's Task lacks: a result many requests can await with a
// timeout without cancelling the work (an API call answers 202 after slow_spawn_timeout while the spawn goes on),
// and a deadline that does cancel the work (start_timeout, http_timeout).
import Synchronization

/// A result set once and awaited by any number of waiters, each with its own timeout.
final class Outcome<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [Int: CheckedContinuation<Value?, Never>] = [:]
        /// Waiters whose timeout or cancellation came before they registered.
        var abandoned: Set<Int> = []
        var nextID = 0
    }
    private let state = Mutex(State())

    init() {}

    /// The value, if set.
    var value: Value? { state.withLock { $0.value } }

    /// Sets the value (first call wins) and wakes every waiter.
    func resolve(_ value: Value) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value?, Never>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// The value once set; nil when `timeout` passes first or the waiting task is cancelled.
    func wait(timeout: Duration? = nil) async -> Value? {
        let id = state.withLock { state -> Int in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let timer = timeout.map { limit in
            Task { [weak self] in
                try? await Task.sleep(for: limit)
                self?.abandon(id)
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let ready = state.withLock { state -> Value?? in
                    if let value = state.value { return .some(value) }
                    if state.abandoned.remove(id) != nil { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            abandon(id)
        }
    }

    /// Wakes waiter `id` with nil if it is still waiting (timeout or cancellation).
    private func abandon(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            if state.value == nil { state.abandoned.insert(id) }
            return nil
        }
        waiter?.resume(returning: nil)
    }
}

/// Thrown when `withDeadline` gives up.
struct DeadlineExceeded: Error, Sendable {}

/// Runs `operation`, cancelling it and throwing `DeadlineExceeded` when `limit` passes first.
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
        return value
    }
}

extension Duration {
    /// `60`, `0.2`: seconds as people write them in messages.
    var secondsText: String {
        let (seconds, attoseconds) = components
        let millis = attoseconds / 1_000_000_000_000_000
        guard millis != 0 else { return String(seconds) }
        var fraction = String(millis)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(seconds).\(fraction)"
    }
}
