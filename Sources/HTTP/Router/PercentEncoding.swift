/// Percent-decoding and -encoding of URL components (RFC 3986), shared by the router, the proxy and the hub.
public enum PercentEncoding {
    /// Decodes `%XX` escapes. Returns nil for a malformed escape or bytes that are not UTF-8, so callers
    /// can answer 400/500 instead of routing on a guess. `+` is left alone (paths are not forms).
    public static func decode<S: StringProtocol>(_ text: S) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var utf8 = text.utf8.makeIterator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        while let byte = utf8.next() {
            if byte != UInt8(ascii: "%") { bytes.append(byte); continue }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Decodes an `application/x-www-form-urlencoded` component (`+` is a space).
    public static func decodeFormComponent<S: StringProtocol>(_ text: S) -> String? {
        decode(String(text.map { $0 == "+" ? " " : $0 }))
    }

    /// Encodes everything except RFC 3986 unreserved characters and the bytes in `keep`
    /// (JupyterHub keeps `@` and `~` unescaped in user and server names).
    public static func encode<S: StringProtocol>(_ text: S, keeping keep: String = "") -> String {
        let keepBytes = Set(keep.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || keepBytes.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses a query string (`a=1&b=x%20y`) into ordered pairs; malformed escapes keep the raw text.
    public static func parseQuery<S: StringProtocol>(_ query: S) -> [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decodeFormComponent(parts[0]) ?? String(parts[0])
            let rawValue = parts.count > 1 ? parts[1] : ""
            return (name, decodeFormComponent(rawValue) ?? String(rawValue))
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
