// `next=` validation: after login the hub only ever redirects to a path on itself. Absolute URLs
// naming our own host (or a subdomain of `subdomain_host`) are reduced to their path; anything
// else that names a host, or is not a path, is dropped. Browsers are more liberal than URL
// parsers (they read `\` as `/`, ignore tabs/newlines, treat `///x` as `//x`), so those forms are
// normalised or refused before parsing.

/// Decides whether a `next` URL is safe to redirect to.
public struct NextURLValidator: Sendable {
    /// Our scheme (`http`/`https`), from the public URL or the request.
    public let scheme: String
    /// Our host[:port], from the public URL or the request's `Host`.
    public let host: String
    /// `JupyterHub.subdomain_host` (e.g. `https://hub.example.org`), if user subdomains are on.
    public let subdomainHost: String?

    public init(scheme: String, host: String, subdomainHost: String? = nil) {
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.subdomainHost = subdomainHost
    }

    /// The safe redirect target for `next`, or nil to fall back to the default page.
    public func validate(_ next: String) -> String? {
        guard !next.isEmpty else { return nil }
        // Browsers drop tabs/newlines inside URLs and strip leading controls/space: `/\t/evil` is `//evil`.
        guard !next.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7f }) else { return nil }
        var url = next.replacingBackslashes()
        if url.hasPrefix("///") {
            url = "//" + url.drop { $0 == "/" }
        }
        var parsed = ParsedURL(url)
        let lowered = (url + "/").lowercased()
        if lowered.hasPrefix("\(scheme)://\(host)/") || lowered.hasPrefix("//\(host)/") || isOurSubdomain(parsed.netloc) {
            var path = "/" + parsed.path.drop { $0 == "/" }
            if let q = parsed.query { path += "?" + q }
            if let f = parsed.fragment { path += "#" + f }
            url = path
            parsed = ParsedURL(url)
        }
        guard parsed.netloc.isEmpty, parsed.scheme == nil, url.hasPrefix("/"), !url.hasPrefix("//") else { return nil }
        return url
    }

    private func isOurSubdomain(_ netloc: String) -> Bool {
        guard let subdomainHost, !netloc.isEmpty else { return false }
        let base = ParsedURL(subdomainHost).netloc.lowercased()
        guard !base.isEmpty else { return false }
        return ("." + netloc.lowercased()).hasSuffix("." + base)
    }
}

/// Just enough of RFC 3986 splitting (as Python's `urlparse` does it) for redirect checks.
struct ParsedURL {
    var scheme: String?
    var netloc = ""
    var path = ""
    var query: String?
    var fragment: String?

    init(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let colon = rest.firstIndex(of: ":"), ParsedURL.isScheme(rest[..<colon]) {
            scheme = rest[..<colon].lowercased()
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            netloc = String(rest[..<end])
            rest = rest[end...]
        }
        if let qmark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: qmark)...])
            rest = rest[..<qmark]
        }
        path = String(rest)
    }

    private static func isScheme(_ s: Substring) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }
}

extension String {
    /// `\` → `%5C`, so no browser can read it as a path separator.
    func replacingBackslashes() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for ch in self {
            if ch == "\\" { out += "%5C" } else { out.append(ch) }
        }
        return out
    }
}
