import CivilTime
import Foundation
import Testing

@Suite("Civil dates")
struct CivilDateTests {
    /// Foundation's Gregorian calendar in UTC: an implementation written independently of ours.
    static let gregorian: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    @Test("known dates, leap days and century rules")
    func knownDates() {
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilDate.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDate.days(year: 2026, month: 12, day: 5) == 20_792)
        #expect(CivilDate.date(fromDays: 11_016) == (2000, 2, 29))
        #expect(CivilDate.date(fromDays: -719_468) == (0, 3, 1))
        #expect(CivilDate.daysInMonth(year: 2000, month: 2) == 29)
        #expect(CivilDate.daysInMonth(year: 1900, month: 2) == 28)
        #expect(CivilDate.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilDate.daysInMonth(year: 2026, month: 4) == 30)
        #expect(CivilDate.daysInMonth(year: 2026, month: 12) == 31)
    }

    @Test("days and dates agree with Foundation's calendar from 1583 to 9999, and round-trip from year 1")
    func againstFoundation() {
        // Every 97th day (a stride prime to 7 and to month lengths) over the years ISO 8601 writes with four
        // digits, plus the ends. Foundation's Gregorian calendar is Julian before October 1582, so it is the
        // oracle from 1583 on; before that the dates must still round-trip and be valid.
        let first = CivilDate.days(year: 1, month: 1, day: 1), last = CivilDate.days(year: 9999, month: 12, day: 31)
        let reform = CivilDate.days(year: 1583, month: 1, day: 1)
        var mismatches: [Int64] = []
        for days in Array(stride(from: first, through: last, by: 97)) + [first, last, reform] {
            let (year, month, day) = CivilDate.date(fromDays: days)
            if CivilDate.days(year: year, month: month, day: day) != days
                || !(1...12).contains(month) || !(1...CivilDate.daysInMonth(year: year, month: month)).contains(day) {
                mismatches.append(days)
                continue
            }
            guard days >= reform else { continue }
            let instant = Date(timeIntervalSince1970: Double(days) * 86_400)
            let expected = Self.gregorian.dateComponents([.year, .month, .day], from: instant)
            if (Int(year), Int(month), Int(day)) != (expected.year!, expected.month!, expected.day!) {
                mismatches.append(days)
            }
        }
        #expect(mismatches.count == 0, "first mismatching day counts: \(mismatches.prefix(5))")
        #expect(CivilDate.date(fromDays: first) == (1, 1, 1))
        #expect(CivilDate.date(fromDays: last) == (9999, 12, 31))
    }

    @Test("month lengths agree with Foundation's calendar for 400 years")
    func monthLengths() {
        for year in Int64(2000)..<2400 {
            for month in Int64(1)...12 {
                let components = DateComponents(year: Int(year), month: Int(month), day: 1)
                let start = Self.gregorian.date(from: components)!
                let length = Self.gregorian.range(of: .day, in: .month, for: start)!.count
                #expect(CivilDate.daysInMonth(year: year, month: month) == Int64(length), "\(year)-\(month)")
            }
        }
    }

    @Test("split floors towards the past")
    func split() {
        #expect(CivilDate.split(86_400_000 + 5, by: 86_400_000) == (1, 5))
        #expect(CivilDate.split(-1, by: 86_400_000) == (-1, 86_399_999))
        #expect(CivilDate.split(-86_400_000, by: 86_400_000) == (-1, 0))
        #expect(CivilDate.split(0, by: 1000) == (0, 0))
    }

    @Test("padded numbers: at least the width, never cut, a sign before a negative magnitude")
    func padded() {
        func text(_ value: Int64, _ width: Int) -> String {
            var out: [UInt8] = []
            CivilDate.appendPadded(value, width: width, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(text(0, 2) == "00")
        #expect(text(7, 4) == "0007")
        #expect(text(72605, 6) == "072605")
        #expect(text(2026, 4) == "2026")
        #expect(text(123_456, 4) == "123456")
        #expect(text(0, 0) == "0")
        #expect(text(-5, 4) == "-0005")
        #expect(text(.min, 1) == "-9223372036854775808")
        #expect(text(.max, 1) == "9223372036854775807")
    }

    @Test("fixed-width digits are written in place, right-aligned, and advance the position")
    func fixedDigits() {
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 13)
        var at = 1
        bytes.withUnsafeMutableBufferPointer { buffer in
            CivilDate.writeDigits(2026, width: 4, into: buffer, at: &at)
            CivilDate.writeDigits(7, width: 2, into: buffer, at: &at)
            CivilDate.writeDigits(72605, width: 6, into: buffer, at: &at)
        }
        #expect(String(decoding: bytes, as: UTF8.self) == "x202607072605")
        #expect(at == 13)
    }
}
