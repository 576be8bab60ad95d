// Percent-decoding with JavaScript's decodeURIComponent rules (every `%XX` decoded, a malformed
// escape or invalid UTF-8 is an error), which is what CHP applies to route keys and request paths.

/// Percent-decoding for route keys and request paths.
public enum PercentDecoding {
    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the result is not UTF-8.
    public static func decode<C: Collection>(_ input: C) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = input.startIndex
        while i != input.endIndex {
            let c = input[i]
            if c != UInt8(ascii: "%") {
                out.append(c)
                i = input.index(after: i)
                continue
            }
            let h1 = input.index(after: i)
            guard h1 != input.endIndex, let hi = hexValue(input[h1]) else { return nil }
            let h2 = input.index(after: h1)
            guard h2 != input.endIndex, let lo = hexValue(input[h2]) else { return nil }
            out.append(hi << 4 | lo)
            i = input.index(after: h2)
        }
        guard isValidUTF8(out) else { return nil }
        return out
    }

    /// Decodes a string's escapes; nil when malformed.
    public static func decode(_ s: Substring) -> String? {
        guard let bytes = decode(s.utf8) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// For each decoded byte offset (0...decoded.count) the raw offset it came from, so a prefix
    /// matched on the decoded path can be cut from the raw one exactly, escapes included.
    static func rawOffsets(_ raw: some Collection<UInt8>) -> [Int] {
        var map: [Int] = []
        map.reserveCapacity(raw.count + 1)
        let bytes = Array(raw)
        var i = 0
        while i < bytes.count {
            map.append(i)
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, hexValue(bytes[i + 1]) != nil,
               hexValue(bytes[i + 2]) != nil {
                i += 3
            } else {
                i += 1
            }
        }
        map.append(bytes.count)
        return map
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates), as decodeURIComponent requires.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let need: Int
            let minScalar: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: need = 1; scalar = UInt32(b & 0x1F); minScalar = 0x80
            case 0xE0...0xEF: need = 2; scalar = UInt32(b & 0x0F); minScalar = 0x800
            case 0xF0...0xF4: need = 3; scalar = UInt32(b & 0x07); minScalar = 0x10000
            default: return false
            }
            guard i + need < n else { return false }
            for k in 1...need {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
            i += need + 1
        }
        return true
    }
}
