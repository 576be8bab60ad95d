// One line per request in JupyterHub's format, `200 GET /hub/api/users (admin@127.0.0.1) 1.20ms`,
// with secrets scrubbed from the query the way JupyterHub's log_request does.
import Logging

enum AccessLog {
    /// Query parameter names containing any of these are logged as `[secret]`.
    static let secretParameterParts = ["token", "auth", "key", "code", "state", "_xsrf"]

    /// Deprecated endpoints that carry a credential in the path: everything after these is `[secret]`.
    static let secretPathMarkers = ["/api/authorizations/token/", "/api/authorizations/cookie/"]

    /// `target` with the values of secret-looking query parameters replaced by `[secret]`, and a token
    /// or cookie value in the path of `/authorizations/token|cookie/…` hidden too.
    static func scrub(_ target: String) -> String {
        // Most targets have no query and no credential path: nothing to hide, no copying (hot path).
        if !target.utf8.contains(UInt8(ascii: "?")), !mentionsAuthorizations(target) { return target }
        let scrubbed = scrubPath(target)
        guard let q = scrubbed.firstIndex(of: "?") else { return scrubbed }
        let target = scrubbed
        let path = target[..<q]
        var fragment = ""
        var query = target[target.index(after: q)...]
        if let hash = query.firstIndex(of: "#") {
            fragment = String(query[hash...])
            query = query[..<hash]
        }
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            guard let eq = part.firstIndex(of: "=") else { return String(part) }
            let name = part[..<eq].lowercased()
            return secretParameterParts.contains(where: name.contains) ? part[..<eq] + "=[secret]" : String(part)
        }
        return path + "?" + parts.joined(separator: "&") + fragment
    }

    /// Hides the credential segment(s) after a `secretPathMarkers` prefix (the cookie name stays).
    static func scrubPath(_ target: String) -> String {
        guard mentionsAuthorizations(target) else { return target }
        for marker in secretPathMarkers {
            guard let range = target.range(of: marker) else { continue }
            var rest = target[range.upperBound...]
            var query = ""
            if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { query = String(rest[q...]); rest = rest[..<q] }
            guard !rest.isEmpty else { return target }
            var kept = ""
            if marker.hasSuffix("cookie/"), let slash = rest.firstIndex(of: "/") { kept = String(rest[...slash]) }
            return target[..<range.upperBound] + kept + "[secret]" + query
        }
        return target
    }

    /// Whether `target` contains `/authorizations/` (every secret path marker does), by bytes.
    private static func mentionsAuthorizations(_ target: String) -> Bool {
        let needle = Array("/authorizations/".utf8)
        return target.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.count >= needle.count else { return false }
            for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
                if (1..<needle.count).allSatisfy({ bytes[start + $0] == needle[$0] }) { return true }
            }
            return false
        } ?? target.contains("/authorizations/")
    }

    /// Writes the access line at JupyterHub's level for the status; nothing is built when the level is
    /// filtered out (every request passes here).
    static func log(_ logger: Logger, status: Int, method: String, target: String, user: String?, ip: String,
                    elapsed: Duration, location: String?, quiet: Bool) {
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let level: Logger.Level
        if quiet && status < 300 && ms < 1000 { level = .debug }
        else if status < 400 { level = .info }
        else if status < 500 { level = .warning }
        else { level = .error }
        guard level >= logger.logLevel else { return }
        let redirect = location.map { status == 301 || status == 302 ? " -> \(scrub($0))" : "" } ?? ""
        logger.log(level: level, "\(status) \(method) \(scrub(target))\(redirect) (\(user ?? "")@\(ip)) \(formatMilliseconds(ms))ms")
    }

    /// `%.2f` without Foundation's formatter.
    static func formatMilliseconds(_ ms: Double) -> String {
        let hundredths = Int64((max(0, ms) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
