// Timestamps on the wire: UTC ISO 8601 with a `Z`, microseconds only when non-zero — what Python's
// `isoformat() + "Z"` gives JupyterHub clients (the idle culler parses these).
import CivilTime
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
        let (days, micros) = CivilDate.split(value.microseconds, by: 86_400_000_000)
        let (year, month, day) = CivilDate.date(fromDays: days)
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        if (0...9999).contains(year) {
            // Common case: format into a stack buffer and append once (see `CivilDate.writeDigits`).
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) { buffer in
                var i = 0
                func put(_ value: Int64, _ width: Int) { CivilDate.writeDigits(value, width: width, into: buffer, at: &i) }
                func sep(_ c: UInt8) { buffer[i] = c; i += 1 }
                put(year, 4); sep(UInt8(ascii: "-")); put(month, 2); sep(UInt8(ascii: "-")); put(day, 2)
                sep(UInt8(ascii: "T")); put(seconds / 3600, 2); sep(UInt8(ascii: ":")); put(seconds / 60 % 60, 2)
                sep(UInt8(ascii: ":")); put(seconds % 60, 2)
                if fraction != 0 { sep(UInt8(ascii: ".")); put(fraction, 6) }
                sep(UInt8(ascii: "Z"))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<i]))
            }
            return
        }
        digits(year, 4, &out); out.append(UInt8(ascii: "-"))
        digits(month, 2, &out); out.append(UInt8(ascii: "-"))
        digits(day, 2, &out); out.append(UInt8(ascii: "T"))
        digits(seconds / 3600, 2, &out); out.append(UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2, &out); out.append(UInt8(ascii: ":"))
        digits(seconds % 60, 2, &out)
        if fraction != 0 { out.append(UInt8(ascii: ".")); digits(fraction, 6, &out) }
        out.append(UInt8(ascii: "Z"))
    }

    /// Out-of-range fields (a year past 9999) written whole; negative ones as zero, as before.
    private static func digits(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
        CivilDate.appendPadded(max(0, value), width: width, to: &out)
    }
}
