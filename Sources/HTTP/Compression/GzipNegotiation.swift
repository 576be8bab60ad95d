extension Gzip {
    /// True if an Accept-Encoding value allows gzip (q>0), e.g. "gzip, deflate, br" or "gzip;q=0.5".
    /// `x-gzip` counts as gzip; `*` covers gzip unless gzip is listed on its own (RFC 9110 §12.5.3).
    public static func isAccepted(byAcceptEncoding value: String) -> Bool {
        var gzipWeight: Bool?
        var wildcardWeight: Bool?
        for element in value.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = element.split(separator: ";", omittingEmptySubsequences: false)
            let coding = parts[0].trimmingOWS().lowercased()
            guard !coding.isEmpty else { continue }
            var acceptable = true
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2, pair[0].trimmingOWS().lowercased() == "q" else { continue }
                // A malformed weight makes the element unusable rather than silently acceptable.
                acceptable = qValueIsPositive(pair[1].trimmingOWS()) ?? false
            }
            if coding == "gzip" || coding == "x-gzip" {
                gzipWeight = (gzipWeight ?? false) || acceptable
            } else if coding == "*" {
                wildcardWeight = acceptable
            }
        }
        return gzipWeight ?? wildcardWeight ?? false
    }

    /// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); nil when malformed.
    private static func qValueIsPositive(_ text: Substring) -> Bool? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        if bytes.count == 1 { return first == UInt8(ascii: "1") }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        let decimals = bytes[2...]
        guard decimals.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        if first == UInt8(ascii: "1") {
            return decimals.allSatisfy { $0 == UInt8(ascii: "0") } ? true : nil
        }
        return decimals.contains { $0 != UInt8(ascii: "0") }
    }
}

private extension Substring {
    func trimmingOWS() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
