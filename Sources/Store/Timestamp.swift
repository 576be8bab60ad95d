import CivilTime
import Foundation
import GRDB

/// A UTC instant with microsecond precision, stored as `YYYY-MM-DD HH:MM:SS.ffffff` text.
///
/// Why not `Date`: GRDB stores `Date` with milliseconds, and the REST API reports microseconds; the fixed
/// text layout also sorts correctly in SQL and matches what JupyterHub's own SQLite files contain.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Microseconds since 1970-01-01 00:00:00 UTC.
    public let microseconds: Int64

    /// The instant `microseconds` after the Unix epoch.
    public init(microsecondsSinceEpoch microseconds: Int64) { self.microseconds = microseconds }

    /// The instant of `date`, rounded to the nearest microsecond.
    public init(_ date: Date) {
        // Clamp so no Date (even distantFuture or a NaN interval) can trap the conversion.
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        microseconds = micros.isNaN ? 0 : Int64(max(-9.0e18, min(9.0e18, micros)))
    }

    /// The current time.
    public static func now() -> Timestamp { Timestamp(Date()) }

    /// This instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    /// This instant moved by `seconds`.
    public func adding(seconds: Int64) -> Timestamp {
        let (delta, overflowA) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (sum, overflowB) = microseconds.addingReportingOverflow(delta)
        if overflowA || overflowB { return Timestamp(microsecondsSinceEpoch: seconds < 0 ? .min : .max) }
        return Timestamp(microsecondsSinceEpoch: sum)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The stored text form, e.g. `2026-11-24 19:26:45.072605`.
    public var description: String { storageText }

    // MARK: - Text form (hand-rolled: DateFormatter is slow and locale-sensitive, and start-up parses thousands)

    var storageText: String {
        let (days, micros) = CivilDate.split(microseconds, by: 86_400_000_000)
        let (year, month, day) = CivilDate.date(fromDays: days)
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        var out: [UInt8] = []
        out.reserveCapacity(26)
        func pad(_ value: Int64, _ width: Int) { CivilDate.appendPadded(value, width: width, to: &out) }
        pad(year, 4); out.append(UInt8(ascii: "-")); pad(month, 2); out.append(UInt8(ascii: "-")); pad(day, 2)
        out.append(UInt8(ascii: " ")); pad(seconds / 3600, 2); out.append(UInt8(ascii: ":")); pad(seconds / 60 % 60, 2)
        out.append(UInt8(ascii: ":")); pad(seconds % 60, 2); out.append(UInt8(ascii: ".")); pad(fraction, 6)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.f…]` (a `T` separator and a trailing `Z` are accepted); nil if malformed.
    public init?(storageText text: String) {
        var utf8 = Array(text.utf8)
        if utf8.last == UInt8(ascii: "Z") { utf8.removeLast() }
        guard utf8.count >= 19, utf8[4] == 45, utf8[7] == 45, utf8[10] == 32 || utf8[10] == 84,
              utf8[13] == 58, utf8[16] == 58 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let c = utf8[index]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction: Int64 = 0
        if utf8.count > 19 {
            guard utf8[19] == 46, utf8.count > 20, utf8.count <= 29, let digits = number(20..<utf8.count) else { return nil }
            // Scale any 1…9 fractional digits to microseconds (extra digits beyond 6 are truncated).
            var scale = utf8.count - 20
            fraction = digits
            while scale < 6 { fraction *= 10; scale += 1 }
            while scale > 6 { fraction /= 10; scale -= 1 }
        }
        let days = CivilDate.days(year: year, month: month, day: day)
        microseconds = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + fraction
    }

    // MARK: - Codable as the same text, so records round-trip through JSON without losing precision

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Timestamp(storageText: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad timestamp \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(storageText)
    }
}

extension Timestamp: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { storageText.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Timestamp? {
        guard let text = String.fromDatabaseValue(dbValue) else { return nil }
        return Timestamp(storageText: text)
    }
}
