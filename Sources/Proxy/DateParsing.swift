// Parsing `inactive_since` the way CHP's `Date.parse` accepts what clients actually send:
// ISO 8601 dates with or without time, seconds, fractions and offsets, plus RFC 1123 HTTP dates.
// Date-times without an offset are taken as UTC (JavaScript would use the server's local zone,
// which is UTC in the containers the proxy runs in; UTC keeps the answer independent of TZ).
import CivilTime

/// Parses the date forms accepted for `inactive_since`.
public enum DateParsing {
    /// The instant `text` names, or nil if it is not a date we understand.
    public static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.utf8)
        return parseISO(bytes) ?? parseRFC1123(bytes)
    }

    private struct Cursor {
        let b: [UInt8]
        var i = 0
        var atEnd: Bool { i >= b.count }
        var peek: UInt8? { i < b.count ? b[i] : nil }

        /// Reads exactly `n` digits.
        mutating func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }

        mutating func eat(_ c: UInt8) -> Bool {
            if peek == c { i += 1; return true }
            return false
        }
    }

    static func parseISO(_ bytes: [UInt8]) -> Timestamp? {
        var c = Cursor(b: bytes)
        var year: Int64
        if c.peek == UInt8(ascii: "+") || c.peek == UInt8(ascii: "-") {
            let negative = c.peek == UInt8(ascii: "-")
            c.i += 1
            guard let y = c.digits(6) else { return nil }
            year = negative ? -y : y
        } else {
            guard let y = c.digits(4) else { return nil }
            year = y
        }
        var month: Int64 = 1, day: Int64 = 1
        if c.eat(UInt8(ascii: "-")) {
            guard let m = c.digits(2) else { return nil }
            month = m
            if c.eat(UInt8(ascii: "-")) {
                guard let d = c.digits(2) else { return nil }
                day = d
            }
        }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        var ms: Int64 = 0
        var offsetMinutes: Int64 = 0
        if c.peek == UInt8(ascii: "T") || c.peek == UInt8(ascii: "t") || c.peek == UInt8(ascii: " ") {
            c.i += 1
            guard let h = c.digits(2), c.eat(UInt8(ascii: ":")), let mi = c.digits(2) else { return nil }
            var s: Int64 = 0, frac: Int64 = 0
            if c.eat(UInt8(ascii: ":")) {
                guard let sec = c.digits(2) else { return nil }
                s = sec
                if c.eat(UInt8(ascii: ".")) || c.eat(UInt8(ascii: ",")) {
                    var scale: Int64 = 100
                    var any = false
                    while let d = c.peek, d >= 48, d <= 57 {
                        frac += Int64(d - 48) * scale
                        scale /= 10
                        c.i += 1
                        any = true
                    }
                    guard any else { return nil }
                }
            }
            guard mi < 60, s < 60, h < 24 || (h == 24 && mi == 0 && s == 0 && frac == 0) else { return nil }
            ms = ((h * 60 + mi) * 60 + s) * 1000 + frac
            if c.eat(UInt8(ascii: "Z")) || c.eat(UInt8(ascii: "z")) {
                offsetMinutes = 0
            } else if c.peek == UInt8(ascii: "+") || c.peek == UInt8(ascii: "-") {
                let sign: Int64 = c.peek == UInt8(ascii: "-") ? -1 : 1
                c.i += 1
                guard let oh = c.digits(2) else { return nil }
                var om: Int64 = 0
                if c.eat(UInt8(ascii: ":")) {
                    guard let m = c.digits(2) else { return nil }
                    om = m
                } else if !c.atEnd {
                    guard let m = c.digits(2) else { return nil }
                    om = m
                }
                guard oh < 24, om < 60 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            }
        } else if c.eat(UInt8(ascii: "Z")) || c.eat(UInt8(ascii: "z")) {
            // A bare date with Z is UTC midnight, as it is without.
        }
        guard c.atEnd else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        return Timestamp(milliseconds: days * 86_400_000 + ms - offsetMinutes * 60_000)
    }

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (weekday optional, `GMT`/`UTC`/`Z` or `±hhmm`).
    static func parseRFC1123(_ bytes: [UInt8]) -> Timestamp? {
        let words = String(decoding: bytes, as: UTF8.self).lowercased()
            .split(whereSeparator: { $0 == " " || $0 == "," })
        var index = 0
        if let first = words.first, first.count >= 3, first.allSatisfy(\.isLetter),
           !monthNames.contains(String(first.prefix(3))) {
            index = 1  // weekday name
        }
        guard words.count - index >= 4 || words.count - index == 3 else { return nil }
        guard let day = Int64(words[index]),
              let monthIndex = monthNames.firstIndex(of: String(words[index + 1].prefix(3))),
              let year = Int64(words[index + 2]) else { return nil }
        let month = Int64(monthIndex + 1)
        guard day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        var ms: Int64 = 0
        var offsetMinutes: Int64 = 0
        if words.count - index >= 4 {
            let parts = words[index + 3].split(separator: ":")
            guard parts.count == 2 || parts.count == 3,
                  let h = Int64(parts[0]), let mi = Int64(parts[1]),
                  h < 24, mi < 60 else { return nil }
            let s = parts.count == 3 ? Int64(parts[2]) : 0
            guard let sec = s, sec < 60 else { return nil }
            ms = ((h * 60 + mi) * 60 + sec) * 1000
            if words.count - index >= 5 {
                let zone = words[index + 4]
                if zone == "gmt" || zone == "utc" || zone == "z" {
                    offsetMinutes = 0
                } else if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5,
                          let v = Int64(zone.dropFirst()) {
                    offsetMinutes = (sign == "-" ? -1 : 1) * (v / 100 * 60 + v % 100)
                } else {
                    return nil
                }
                guard words.count - index == 5 else { return nil }
            }
        }
        let days = CivilDate.days(year: year, month: month, day: day)
        return Timestamp(milliseconds: days * 86_400_000 + ms - offsetMinutes * 60_000)
    }
}
