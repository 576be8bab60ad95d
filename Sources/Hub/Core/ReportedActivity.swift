// Activity that single-user servers report (`POST /users/{name}/activity`), held in memory and
// written in one transaction per second. Fleets post every 5 minutes per server, bursts come in
// thousands, and JupyterHub's one commit per POST was its bottleneck (121 POST/s at c=16; phalanx
// #4370). Reads overlay the held values, so a report is visible at once though written later.
import Logging
import Store
import Synchronization

/// Latest reported `last_activity` per user and server, not yet (or just) written to the store.
public final class ReportedActivity: Sendable {
    /// How often held reports are written; the durability bound of an acknowledged report.
    public static let flushInterval: Duration = .milliseconds(500)

    private struct State {
        var users: [UserID: Timestamp] = [:]
        var servers: [ServerID: Timestamp] = [:]
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
        state.withLock { s in
            var latest = userTime
            for (id, time) in servers {
                if let held = s.servers[id], held >= time { continue }
                s.servers[id] = time
            }
            for (_, time) in servers where latest.map({ time > $0 }) ?? true { latest = time }
            if let latest, s.users[user].map({ latest > $0 }) ?? true { s.users[user] = latest }
        }
    }

    /// The held time for a user, if any (may be older than the stored one; callers take the later).
    public func userTime(_ id: UserID) -> Timestamp? { state.withLock { $0.users[id] } }

    /// Moves the snapshot's user and server `last_activity` to any later held report.
    public func apply(to snapshot: inout UserSnapshot) {
        state.withLock { s in
            guard !s.users.isEmpty || !s.servers.isEmpty else { return }
            snapshot.user.lastActivity = Self.later(snapshot.user.lastActivity, s.users[snapshot.user.id])
            for index in snapshot.servers.indices {
                let id = snapshot.servers[index].id
                snapshot.servers[index].lastActivity = Self.later(snapshot.servers[index].lastActivity, s.servers[id])
            }
        }
    }

    /// Applies held reports to many snapshots under one lock.
    public func apply(to snapshots: inout [UserSnapshot]) {
        state.withLock { s in
            guard !s.users.isEmpty || !s.servers.isEmpty else { return }
            for i in snapshots.indices {
                snapshots[i].user.lastActivity = Self.later(snapshots[i].user.lastActivity, s.users[snapshots[i].user.id])
                for j in snapshots[i].servers.indices {
                    let id = snapshots[i].servers[j].id
                    snapshots[i].servers[j].lastActivity = Self.later(snapshots[i].servers[j].lastActivity, s.servers[id])
                }
            }
        }
    }

    /// Whether nothing is waiting to be written.
    public var isEmpty: Bool { state.withLock { $0.users.isEmpty && $0.servers.isEmpty } }

    /// Writes held reports. Entries stay held (and visible) until their write commits, and only entries
    /// not superseded meanwhile are dropped, so a read never sees a value go back. A failed write is retried
    /// at the next flush.
    public func flush() async {
        let (users, servers) = state.withLock { ($0.users, $0.servers) }
        guard !users.isEmpty || !servers.isEmpty else { return }
        do {
            try await store.bumpServerActivity(servers)
            try await store.bumpUserActivity(users)
        } catch {
            logger.warning("could not write reported activity; keeping it for the next flush",
                           metadata: ["users": "\(users.count)", "servers": "\(servers.count)", "error": "\(error)"])
            return
        }
        state.withLock { s in
            for (id, time) in servers where s.servers[id] == time { s.servers[id] = nil }
            for (id, time) in users where s.users[id] == time { s.users[id] = nil }
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

    private static func later(_ a: Timestamp?, _ b: Timestamp?) -> Timestamp? {
        guard let b else { return a }
        guard let a else { return b }
        return max(a, b)
    }
}
