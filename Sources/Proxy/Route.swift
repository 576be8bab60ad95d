// One routing-table entry: the data JupyterHub POSTed (kept verbatim) plus its activity clock.
// Routes are immutable except for `last_activity`, an atomic the proxy bumps from any event loop
// without taking the table lock.
import HTTP
import Synchronization

/// A route: key, target and the POSTed data, plus `last_activity`.
public final class Route: Sendable {
    /// The normalised key (`/user/alice`), as listed by the REST API.
    public let key: String
    /// The upstream URL text (`http://10.0.0.5:8888`).
    public let target: String
    /// The POSTed object's members in order (including `target`, excluding `last_activity`).
    public let data: [(String, JSONValue)]
    /// Where a POSTed `last_activity` member stood, so the listing keeps the caller's order.
    private let activityPosition: Int?
    private let activity: Atomic<Int64>
    /// `target` parsed once at add time so requests never re-parse it; nil for unsupported URLs (→ 500).
    public let upstream: UpstreamTarget?

    /// Minimum spacing of activity writes; finer resolution only costs cache-line traffic.
    public static let activityResolutionMilliseconds: Int64 = 1000

    init(key: String, target: String, members: [(String, JSONValue)], createdAt: Timestamp) {
        self.key = key
        self.target = target
        var kept: [(String, JSONValue)] = []
        kept.reserveCapacity(members.count)
        var position: Int?
        for member in members {
            if member.0 == "last_activity" { position = kept.count } else { kept.append(member) }
        }
        self.data = kept
        self.activityPosition = position
        self.activity = Atomic(createdAt.milliseconds)
        // CHP accepts both spellings of a Unix-socket target.
        let normalized = target.hasPrefix("unix+http://") ? "http+unix://" + target.dropFirst("unix+http://".count) : target
        self.upstream = try? UpstreamTarget(url: normalized)
    }

    /// When the route last saw qualifying traffic (or was added).
    public var lastActivity: Timestamp { Timestamp(milliseconds: activity.load(ordering: .relaxed)) }

    /// Records traffic at `now`; writes at most once per `activityResolutionMilliseconds` and never moves backwards.
    @inline(__always)
    public func recordActivity(at now: Timestamp = .now()) {
        let last = activity.load(ordering: .relaxed)
        guard now.milliseconds - last >= Route.activityResolutionMilliseconds else { return }
        _ = activity.compareExchange(expected: last, desired: now.milliseconds, ordering: .relaxed)
    }

    /// The route's data as the REST API returns it: the POSTed members plus `last_activity`.
    public var json: JSONValue {
        var members = data
        let stamp = (String("last_activity"), JSONValue.string(lastActivity.description))
        if let position = activityPosition, position <= members.count {
            members.insert(stamp, at: position)
        } else {
            members.append(stamp)
        }
        return .object(members)
    }
}
