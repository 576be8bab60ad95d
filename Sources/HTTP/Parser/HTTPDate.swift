import Glibc

/// The `Date` header value (IMF-fixdate, RFC 9110 §5.6.7).
public enum HTTPDate {
    /// Now as "Sun, 06 Nov 1994 08:49:37 GMT"; formatted at most once per second, safe from any thread.
    public static func now() -> String {
        var seconds = time(nil)
        return cache.string(for: seconds, format: { format(epochSeconds: &seconds) })
    }

    private static let cache = DateCache()

    /// IMF-fixdate for a Unix time.
    static func format(epochSeconds: inout time_t) -> String {
        var parts = tm()
        gmtime_r(&epochSeconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = days[Int(parts.tm_wday) % 7]
        let month = months[Int(parts.tm_mon) % 12]
        return "\(weekday), \(twoDigits(parts.tm_mday)) \(month) \(parts.tm_year + 1900) "
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
    }

    private static func twoDigits(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

/// Last formatted second; formatting per request would cost more than the rest of the head.
private final class DateCache: @unchecked Sendable {
    private let lock = PThreadLock()
    private var second: time_t = -1
    private var value = ""

    func string(for now: time_t, format: () -> String) -> String {
        lock.withLock {
            if now != second {
                value = format()
                second = now
            }
            return value
        }
    }
}
