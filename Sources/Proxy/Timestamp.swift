// Wall-clock milliseconds and their ISO 8601 text, without Foundation's DateFormatter: route
// listings format thousands of timestamps and the proxy reads the clock on every response.
import CivilTime
import Glibc

/// Milliseconds since the Unix epoch, UTC.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    /// ISO 8601 in UTC with milliseconds and `Z`, as JavaScript's `Date.toISOString()` writes it.
    public var description: String {
        let (days, rem) = CivilDate.split(milliseconds, by: 86_400_000)
        let (y, m, d) = CivilDate.date(fromDays: days)
        let h = rem / 3_600_000, mi = rem / 60_000 % 60, s = rem / 1000 % 60, f = rem % 1000
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func pad(_ v: Int64, _ width: Int) { CivilDate.appendPadded(v, width: width, to: &out) }
        if y < 0 || y > 9999 {
            out.append(y < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            pad(abs(y), 6)
        } else {
            pad(y, 4)
        }
        out.append(UInt8(ascii: "-")); pad(m, 2); out.append(UInt8(ascii: "-")); pad(d, 2)
        out.append(UInt8(ascii: "T")); pad(h, 2); out.append(UInt8(ascii: ":")); pad(mi, 2)
        out.append(UInt8(ascii: ":")); pad(s, 2); out.append(UInt8(ascii: ".")); pad(f, 3)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
