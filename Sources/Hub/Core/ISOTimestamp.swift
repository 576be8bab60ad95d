// Timestamps on the wire: UTC ISO 8601 with a `Z`, microseconds only when non-zero — what Python's
// `isoformat() + "Z"` gives JupyterHub clients (the idle culler parses these).
import Store

/// Formats and parses the REST API's timestamps.
public enum ISOTimestamp {
    /// `2026-11-24T19:26:45.072605Z` (or `…:45Z` when the fraction is zero).
    public static func format(_ value: Timestamp) -> String {
        var out: [UInt8] = []
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func append(_ value: Timestamp, to out: inout [UInt8]) {
        let perDay: Int64 = 86_400_000_000
        var days = value.microseconds / perDay
        var micros = value.microseconds % perDay
        if micros < 0 { micros += perDay; days -= 1 }
        let (year, month, day) = civil(fromDays: days)
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        digits(year, 4, &out); out.append(UInt8(ascii: "-"))
        digits(month, 2, &out); out.append(UInt8(ascii: "-"))
        digits(day, 2, &out); out.append(UInt8(ascii: "T"))
        digits(seconds / 3600, 2, &out); out.append(UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2, &out); out.append(UInt8(ascii: ":"))
        digits(seconds % 60, 2, &out)
        if fraction != 0 { out.append(UInt8(ascii: ".")); digits(fraction, 6, &out) }
        out.append(UInt8(ascii: "Z"))
    }

    /// Zero-padded decimal digits appended in place (no temporary buffer: listings format two per user).
    private static func digits(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
        let v = value < 0 ? 0 : value
        var divisor: Int64 = 1
        for _ in 1..<max(width, 1) { divisor &*= 10 }
        if v / divisor >= 10 { out.append(contentsOf: String(value).utf8); return }  // wider than expected: write it all
        while divisor > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v / divisor % 10))
            divisor /= 10
        }
    }

    /// Days since 1970-01-01 → proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
