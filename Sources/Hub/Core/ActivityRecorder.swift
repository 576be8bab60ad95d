// Token and owner `last_activity` bumps, coalesced in memory and written in one transaction per
// flush (at most every 30 s). JupyterHub writes on every request that crosses its 30 s resolution;
// under many single-user servers that one synchronous writer was a known overload (phalanx #4370).
import Logging
import Store
import Synchronization

/// Collects activity from authenticated requests and writes it in batches.
public final class ActivityRecorder: Sendable {
    /// JupyterHub's `activity_resolution`: activity newer than this since the last record is not recorded again.
    public static let resolution: Duration = .seconds(30)
    private static let resolutionMicros: Int64 = 30_000_000

    private struct State {
        var tokens: [TokenID: Timestamp] = [:]
        var users: [UserID: Timestamp] = [:]
        var services: [ServiceID: Timestamp] = [:]
        /// Last time recorded per token/owner, so the cached (stale) row does not make us record every request.
        var recordedTokens: [TokenID: Timestamp] = [:]
        var recordedUsers: [UserID: Timestamp] = [:]
        var recordedServices: [ServiceID: Timestamp] = [:]
    }

    private let state = Mutex(State())
    private let store: Store
    private let logger: Logger

    init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Notes that `identity` used its token at `time` (server tokens do not count as user activity).
    /// The pipeline calls it for token requests; cookie authentication calls it for its own.
    public func record(_ identity: Identity, at time: Timestamp = .now()) {
        let token = identity.token
        let countsForUser = !(token?.note ?? "").hasPrefix("Server at ")
        state.withLock { s in
            if let token, Self.due(s.recordedTokens[token.id] ?? token.lastActivity, time) {
                s.tokens[token.id] = time
                s.recordedTokens[token.id] = time
            }
            switch identity.owner {
            case .user(let snapshot) where countsForUser:
                let id = snapshot.user.id
                if Self.due(s.recordedUsers[id] ?? snapshot.user.lastActivity, time) {
                    s.users[id] = time
                    s.recordedUsers[id] = time
                }
            case .service(let service):
                if Self.due(s.recordedServices[service.id] ?? service.lastActivity, time) {
                    s.services[service.id] = time
                    s.recordedServices[service.id] = time
                }
            default:
                break
            }
        }
    }

    private static func due(_ last: Timestamp?, _ now: Timestamp) -> Bool {
        guard let last else { return true }
        return now.microseconds - last.microseconds > resolutionMicros
    }

    /// Writes pending bumps (each moves `last_activity` forward only). Safe to call at any time.
    public func flush() async {
        let now = Timestamp.now()
        let (tokens, users, services) = state.withLock { s in
            defer {
                s.tokens = [:]; s.users = [:]; s.services = [:]
                // Forget records older than the resolution: the stored row is at least that new now.
                s.recordedTokens = s.recordedTokens.filter { !Self.due($0.value, now) }
                s.recordedUsers = s.recordedUsers.filter { !Self.due($0.value, now) }
                s.recordedServices = s.recordedServices.filter { !Self.due($0.value, now) }
            }
            return (s.tokens, s.users, s.services)
        }
        do {
            try await store.bumpTokenActivity(tokens)
            try await store.bumpUserActivity(users)
            try await store.bumpServiceActivity(services)
        } catch {
            // Activity is advisory; losing one batch must not take requests down with it.
            logger.warning("could not record activity", metadata: ["error": "\(error)"])
        }
    }

    /// Flushes every `interval` until the task is cancelled. The final flush is the stopper's job:
    /// a cancelled task cannot write (the database refuses work for cancelled tasks).
    func run(every interval: Duration = ActivityRecorder.resolution) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { break }
            await flush()
        }
    }
}
