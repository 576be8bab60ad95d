// Calendar arithmetic for the hub's and the proxy's timestamps: UTC instants as day counts from 1970-01-01,
// in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil` and `civil_from_days`). Its own
// module, below Store and Proxy, so the stored, wire and proxy timestamp types share one implementation
// without Store depending on HTTP or Proxy on GRDB. Inlinable: listings format two timestamps per user.

/// Days since 1970-01-01 and back, the length of a month, and the zero-padded numbers of date text.
public enum CivilDate {
    /// Days from 1970-01-01 to `year`-`month`-`day` (negative before it). `month` is 1…12.
    @inlinable
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01: the inverse of `days(year:month:day:)`.
    @inlinable
    public static func date(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days in `month` (1…12) of `year`.
    @inlinable
    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `value` split into whole `unit`s and the non-negative rest (floor division, so instants before 1970
    /// land on the right day).
    @inlinable
    public static func split(_ value: Int64, by unit: Int64) -> (whole: Int64, rest: Int64) {
        let quotient = value / unit, remainder = value % unit
        return remainder < 0 ? (quotient - 1, remainder + unit) : (quotient, remainder)
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits (a negative value gets a `-` before
    /// its padded magnitude): the fields of every timestamp text the hub and the proxy write.
    @inlinable
    public static func appendPadded(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[count] = 0x30 &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            if count < width { out.append(contentsOf: repeatElement(0x30, count: width - count)) }
            while count > 0 { count -= 1; out.append(digits[count]) }
        }
    }

    /// Writes the last `width` decimal digits of `value` (≥ 0) at `buffer[at...]` and moves `at` past them: for
    /// fixed-layout texts built in a stack buffer and appended at once (byte-by-byte appends to a growing
    /// array cost a tenth of a user listing's CPU).
    @inlinable
    public static func writeDigits(_ value: Int64, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>,
                                   at: inout Int) {
        var rest = value
        for i in stride(from: at + width - 1, through: at, by: -1) {
            buffer[i] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        at += width
    }
}
