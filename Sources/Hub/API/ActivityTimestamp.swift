// Timestamps in activity reports: ISO 8601 as single-user servers and the proxy poll send them
// (`2026-11-24T19:26:45.072605Z`), any UTC offset (converted), or none (taken as UTC, as JupyterHub
// treats naive times). Hand-parsed: thousands arrive per second and Foundation's formatters are slow.
import CivilTime
import Store

enum ActivityTimestamp {
    /// The instant `text` names, or nil if it is not an ISO 8601 date-time (or date) this parser accepts.
    static func parse(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int64? {
            guard i + width <= b.count else { return nil }
            var value: Int64 = 0
            for k in i..<(i + width) {
                guard b[k] >= 48, b[k] <= 57 else { return nil }
                value = value * 10 + Int64(b[k] - 48)
            }
            i += width
            return value
        }
        func take(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2),
              (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, micros: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") {
            i += 1
            guard let h = number(2), take(":"), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if take(":") {
                guard let s = number(2), s < 60 else { return nil }
                second = s
                if take(".") || take(",") {
                    var digits = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        if digits < 6 { micros = micros * 10 + Int64(b[i] - 48) }
                        digits += 1; i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in min(digits, 6)..<6 { micros *= 10 }
                }
            }
        }
        var offsetSeconds: Int64 = 0
        if i < b.count {
            if take("Z") || take("z") {
                // UTC
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2), oh < 24 else { return nil }
                var om: Int64 = 0
                if i < b.count {
                    _ = take(":")
                    guard let m = number(2), m < 60 else { return nil }
                    om = m
                }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == b.count else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Timestamp(microsecondsSinceEpoch: seconds * 1_000_000 + micros)
    }
}
