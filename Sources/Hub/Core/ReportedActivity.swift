// Activity that single-user servers report (`POST /users/{name}/activity`), held in memory and
// written in one transaction per flush. Fleets post every 5 minutes per server, bursts come in
// thousands, and JupyterHub's one commit per POST was its bottleneck (121 POST/s at c=16; phalanx
// #4370). Reads overlay the held values, so a report is visible at once though written later.
import Logging
import Store
import Synchronization

/// Latest reported `last_activity` per user and server, not yet (or only just) written to the store.
public final class ReportedActivity: Sendable {
    /// How often held reports are written; the durability bound of an acknowledged report.
    public static let flushInterval: Duration = .milliseconds(500)

    private struct Times {
        var users: [UserID: Timestamp] = [:]
        var servers: [ServerID: Timestamp] = [:]
        var isEmpty: Bool { users.isEmpty && servers.isEmpty }
    }

    private struct State {
        /// Reports not yet written.
        var pending = Times()
        /// Reports the last flush wrote. Still overlaid for one more interval: a request that read the row
        /// just before that commit and overlays just after it must not see the value go missing.
        var written = Times()
    }

    private let state = Mutex(State())
    private let store: Store
    private let logger: Logger

    init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Holds a report; values only move forward. The user's time also follows its servers' (as the store does).
    public func report(user: UserID, at userTime: Timestamp?, servers: [(ServerID, Timestamp)]) {
        var latest = userTime
        for (_, time) in servers where latest.map({ time > $0 }) ?? true { latest = time }
        state.withLock { s in
            for (id, time) in servers where s.pending.servers[id].map({ time > $0 }) ?? true {
                s.pending.servers[id] = time
            }
            if let latest, s.pending.users[user].map({ latest > $0 }) ?? true { s.pending.users[user] = latest }
        }
    }

    /// The latest held time for a user, if any (may be older than the stored one; callers take the later).
    public func userTime(_ id: UserID) -> Timestamp? {
        state.withLock { Self.later($0.pending.users[id], $0.written.users[id]) }
    }

    /// Moves the snapshot's user and server `last_activity` to any later held report.
    public func apply(to snapshot: inout UserSnapshot) {
        state.withLock { s in Self.apply(s, to: &snapshot) }
    }

    /// Applies held reports to many snapshots under one lock.
    public func apply(to snapshots: inout [UserSnapshot]) {
        state.withLock { s in
            guard !s.pending.isEmpty || !s.written.isEmpty else { return }
            for i in snapshots.indices { Self.apply(s, to: &snapshots[i]) }
        }
    }

    /// Whether nothing is waiting to be written.
    public var isEmpty: Bool { state.withLock { $0.pending.isEmpty } }

    /// Writes held reports. An entry leaves `pending` only once its write committed and no newer report came
    /// meanwhile; a failed write is retried at the next flush.
    public func flush() async {
        let batch = state.withLock { $0.pending }
        guard !batch.isEmpty else {
            state.withLock { $0.written = Times() }
            return
        }
        do {
            try await store.bumpServerActivity(batch.servers)
            try await store.bumpUserActivity(batch.users)
        } catch {
            logger.warning("could not write reported activity; keeping it for the next flush",
                           metadata: ["users": "\(batch.users.count)", "servers": "\(batch.servers.count)", "error": "\(error)"])
            return
        }
        state.withLock { s in
            for (id, time) in batch.servers where s.pending.servers[id] == time { s.pending.servers[id] = nil }
            for (id, time) in batch.users where s.pending.users[id] == time { s.pending.users[id] = nil }
            s.written = batch
        }
    }

    /// Flushes every `interval` until cancelled (GRDB refuses access from a cancelled task, so `Hub.stop()`
    /// does the last flush itself).
    func run(every interval: Duration = ReportedActivity.flushInterval) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { break }
            await flush()
        }
    }

    private static func apply(_ s: State, to snapshot: inout UserSnapshot) {
        guard !s.pending.isEmpty || !s.written.isEmpty else { return }
        let id = snapshot.user.id
        snapshot.user.lastActivity = later(snapshot.user.lastActivity, later(s.pending.users[id], s.written.users[id]))
        for index in snapshot.servers.indices {
            let server = snapshot.servers[index].id
            snapshot.servers[index].lastActivity = later(snapshot.servers[index].lastActivity,
                                                         later(s.pending.servers[server], s.written.servers[server]))
        }
    }

    private static func later(_ a: Timestamp?, _ b: Timestamp?) -> Timestamp? {
        guard let b else { return a }
        guard let a else { return b }
        return max(a, b)
    }
}
