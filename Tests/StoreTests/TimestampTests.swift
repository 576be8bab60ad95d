import Foundation
import Testing
@testable import Store

@Suite("Timestamp")
struct TimestampTests {
    @Test("stores UTC with microseconds and parses its own text back exactly")
    func roundTrip() throws {
        let t = Timestamp(microsecondsSinceEpoch: 1_795_980_405_072_605)
        #expect(t.description == "2026-11-29 19:26:45.072605")
        #expect(Timestamp(storageText: t.description) == t)
        for micros: Int64 in [0, 1, 951_782_400_000_000, 4_102_444_799_999_999, -1] {
            let value = Timestamp(microsecondsSinceEpoch: micros)
            #expect(Timestamp(storageText: value.description) == value)
        }
    }

    @Test("accepts ISO forms with T and Z and shorter fractions; rejects garbage")
    func parsing() {
        let expected: Int64 = 1_795_548_405_072_605
        #expect(Timestamp(storageText: "2026-11-24T19:26:45.072605Z")?.microseconds == expected)
        #expect(Timestamp(storageText: "1970-01-01 00:00:01.5")?.microseconds == 1_500_000)
        #expect(Timestamp(storageText: "1970-01-01 00:00:01")?.microseconds == 1_000_000)
        #expect(Timestamp(storageText: "1970-01-01 00:00:01.123456789")?.microseconds == 1_123_456)
        #expect(Timestamp(storageText: "1970-01-01 00:00:01.1234567890") == nil)
        for bad in ["", "yesterday", "2026-13-01 00:00:00", "2026-11-24 25:00:00", "2026-11-24 10:00:00.", "2026-11-24 10:00:00.12a"] {
            #expect(Timestamp(storageText: bad) == nil, "\(bad)")
        }
    }

    @Test("extreme inputs clamp instead of trapping")
    func extremes() {
        #expect(Timestamp(Date(timeIntervalSince1970: .nan)).microseconds == 0)
        #expect(Timestamp(Date(timeIntervalSince1970: 1e300)).microseconds > 0)
        #expect(Timestamp(microsecondsSinceEpoch: .max - 5).adding(seconds: 10).microseconds == .max)
        #expect(Timestamp(microsecondsSinceEpoch: 0).adding(seconds: .min).microseconds == .min)
    }

    @Test("converts to and from Date within a microsecond")
    func dates() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
        #expect(abs(Timestamp(date).date.timeIntervalSince(date)) < 0.000_001)
    }
}
