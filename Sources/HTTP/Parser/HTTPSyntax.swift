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
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for i in 0..<bytes.count {
            var b = bytes[i]
            if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b |= 0x20 }
            if b != expected[i] { return false }
        }
        return true
    }

    /// A string made of exactly these bytes: UTF-8 when valid, otherwise ISO Latin 1 (obs-text) so no byte is lost.
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
