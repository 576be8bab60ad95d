/// Byte classes and small list helpers from RFC 9110/9112, shared by the parsers and framing rules.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~", as a bitmap of the bytes 0–127 (two words), so a
    /// name byte costs a shift and a mask instead of a chain of range checks.
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        let word: UInt64
        switch b >> 6 {
        case 0: word = 0x03ff_6cfa_0000_0000
        case 1: word = 0x57ff_ffff_c7ff_fffe
        default: return false
        }
        return word & (1 &<< UInt64(b & 63)) != 0
    }

    static func isToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return false }
        for b in bytes where !isTokenByte(b) { return false }
        return true
    }

    /// Field content: VCHAR, obs-text, SP and HTAB; every other control byte is refused.
    @inline(__always)
    static func isFieldValueByte(_ b: UInt8) -> Bool { b == htab || (b >= sp && b != 0x7F) }

    /// Whether every byte of `bytes` is field content, and whether any is above 0x7F (obs-text).
    /// Eight bytes at a time: a word with no byte below 0x20 and none equal to 0x7F is all valid
    /// (only such a word goes byte by byte, for its tabs); header values are mostly long ASCII.
    static func scanFieldValue(_ bytes: UnsafeRawBufferPointer) -> (valid: Bool, highBit: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var high: UInt64 = 0
        var i = 0
        while i + 8 <= bytes.count {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            high |= w
            let del = w ^ (0x7F &* ones)
            // "has a byte less than n" (exact as a yes/no): (x - n·ones) & ~x & highs.
            let suspicious = ((w &- 0x20 &* ones) & ~w & highs) | ((del &- ones) & ~del & highs)
            if suspicious != 0 {
                for k in i..<(i + 8) where !isFieldValueByte(bytes[k]) { return (false, false) }
            }
            i += 8
        }
        var tail: UInt8 = 0
        while i < bytes.count {
            let b = bytes[i]
            if !isFieldValueByte(b) { return (false, false) }
            tail |= b
            i += 1
        }
        return (true, high & highs != 0 || tail & 0x80 != 0)
    }

    @inline(__always)
    static func isOWS(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// `bytes` without leading and trailing SP/HTAB.
    static func trimmingOWS(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var lower = 0
        var upper = bytes.count
        while lower < upper && isOWS(bytes[lower]) { lower += 1 }
        while upper > lower && isOWS(bytes[upper - 1]) { upper -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[lower..<upper])
    }

    /// Calls `body` with each OWS-trimmed element of a comma-separated list, empty ones included.
    static func forEachListElement(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: ",") {
            body(trimmingOWS(UnsafeRawBufferPointer(rebasing: bytes[start..<i])))
            start = i + 1
        }
    }

    /// ASCII case-insensitive equality with a lowercase literal.
    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        equalsLowercased(bytes, UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
    }

    /// ASCII case-insensitive equality with lowercase bytes (a canonical field name, a literal).
    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ expected: UnsafeRawBufferPointer) -> Bool {
        let n = expected.count
        guard bytes.count == n else { return false }
        if n >= 8 {
            // Word by word; a tail shorter than a word is compared as the last eight bytes (overlapping).
            var i = 0
            while i + 8 <= n {
                if lowercased(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    != expected.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i += 8
            }
            if i < n {
                return lowercased(bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
                    == expected.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            }
            return true
        }
        for i in 0..<n {
            var b = bytes[i]
            if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b |= 0x20 }
            if b != expected[i] { return false }
        }
        return true
    }

    /// The eight bytes of `w` with exactly 'A'...'Z' lowered (no other byte changes).
    @inline(__always)
    static func lowercased(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let heptets = w & ~highs                          // each byte below 0x80: no carries below
        let atLeastA = heptets &+ (0x80 - 0x41) &* ones    // high bit set where byte >= 'A'
        let aboveZ = heptets &+ (0x80 - 0x5B) &* ones      // high bit set where byte > 'Z'
        let upper = atLeastA & ~aboveZ & ~w & highs        // and not a byte >= 0x80
        return w | (upper >> 2)
    }

    /// A string made of exactly these bytes: UTF-8 when valid, otherwise ISO Latin 1 (obs-text) so no byte is lost.
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        // ASCII (nearly every value) needs no UTF-8 validation, which costs ~1,000 instructions here.
        if scanFieldValue(bytes) == (true, false) { return String(decoding: bytes, as: UTF8.self) }
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
