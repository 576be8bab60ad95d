// `application/x-www-form-urlencoded` query parsing as URLSearchParams does it (`+` is a space,
// escapes decoded, malformed escapes kept literally), for the REST API's few parameters.

/// Parsed query parameters in order.
struct QueryParameters {
    private(set) var pairs: [(String, String)] = []

    init(_ query: Substring?) {
        guard let query else { return }
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let eq = part.firstIndex(of: "=")
            let name = eq.map { part[..<$0] } ?? part
            let value = eq.map { part[part.index(after: $0)...] } ?? ""
            pairs.append((Self.decode(name), Self.decode(value)))
        }
    }

    /// The first value named `name`.
    func first(_ name: String) -> String? { pairs.first(where: { $0.0 == name })?.1 }

    static func decode(_ s: Substring) -> String {
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.count,
                      let hi = PercentDecoding.hexValue(bytes[i + 1]), let lo = PercentDecoding.hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
