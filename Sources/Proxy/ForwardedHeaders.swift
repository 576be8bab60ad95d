// The request head sent upstream: the client's fields in order, minus hop-by-hop fields, plus
// X-Forwarded-* and custom headers (contract §3). Built directly from the parsed fields, no
// re-parsing.
import HTTP
import HTTPTypes

/// Builds the header fields of a forwarded request.
enum ForwardedHeaders {
    /// Fields that describe one connection and must not be forwarded (RFC 9110 §7.6.1).
    /// A switch on the lower-cased name: cheaper per header than hashing into a Set.
    @inline(__always)
    static func isHopByHop(_ lower: String) -> Bool {
        // The length first: most fields (host, accept, cookie…) are ruled out without a string compare.
        switch lower.utf8.count {
        case 2, 7, 10, 16, 17, 18, 19: break
        default: return false
        }
        switch lower {
        case "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
             "te", "trailer", "transfer-encoding", "upgrade":
            return true
        default:
            return false
        }
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedPort = HTTPField.Name("X-Forwarded-Port")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
    /// HTTPTypes hides `Host` (it models `:authority`); HTTP/1.1 forwarding needs the field itself.
    static let host = HTTPField.Name("Host")!

    /// Extra field names listed in `Connection` (also connection-specific). The usual values
    /// (`keep-alive`, `close`, `upgrade`) name nothing extra and are answered without allocating.
    static func connectionTokens(_ fields: HTTPFields) -> Set<String> {
        var tokens: Set<String> = []
        for field in fields where field.name == .connection {
            let value = field.value
            if value.utf8.count <= 10, ["keep-alive", "close", "upgrade"].contains(where: { value.caseInsensitiveEquals($0) }) {
                continue
            }
            for token in value.split(separator: ",") {
                let name = token.trimmingSpaces.lowercased()
                if !name.isEmpty, name != "close", !isHopByHop(name) { tokens.insert(name) }
            }
        }
        return tokens
    }

    /// Whether `fields` has a `Connection` field (a length check spares most string compares).
    static func hasConnectionField(_ fields: HTTPFields) -> Bool {
        fields.contains { $0.name.canonicalName.utf8.count == 10 && $0.name == .connection }
    }

    /// The fields for the upstream request. The body-framing field is set to match
    /// how the body will be sent (Content-Length kept in place, `Transfer-Encoding: chunked`
    /// appended, neither for no body), and `defaultHost` is added when the client sent no Host.
    /// One pass over the client's fields: no look-ups by name on the per-request path.
    static func request(from head: RequestHead, remoteHost: String, isTLS: Bool, xForward: Bool,
                        customHeaders: [(name: HTTPField.Name, value: String)],
                        framing: BodyFraming = .none, defaultHost: @autoclosure () -> String? = nil) -> HTTPFields {
        let (client, host, hasForwardedFields, wroteContentLength) = clientFields(head, framing: framing)
        var out = client.fields
        if head.isUpgrade {
            out.append(HTTPField(name: .connection, value: "upgrade"))
        }
        if xForward {
            let proto = head.isUpgrade ? (isTLS ? "wss" : "ws") : (isTLS ? "https" : "http")
            let port = host.flatMap(port(ofHost:)) ?? (isTLS ? "443" : "80")
            if hasForwardedFields {
                append(&out, forwardedFor, remoteHost)
                append(&out, forwardedPort, port)
                append(&out, forwardedProto, proto)
                if !head.isUpgrade, out[forwardedHost] == nil, let host { out[forwardedHost] = host }
            } else {
                // None present (the usual case): plain appends, no searching.
                out.append(HTTPField(name: forwardedFor, value: remoteHost))
                out.append(HTTPField(name: forwardedPort, value: port))
                out.append(HTTPField(name: forwardedProto, value: proto))
                if !head.isUpgrade, let host { out.append(HTTPField(name: forwardedHost, value: host)) }
            }
        }
        for (name, value) in customHeaders { out[name] = value }
        switch framing {
        case .chunked: out[.transferEncoding] = "chunked"
        case .contentLength(let length):
            if !wroteContentLength || !customHeaders.isEmpty { out[.contentLength] = String(length) }
        case .none, .untilClose: if !customHeaders.isEmpty { out[.contentLength] = nil }
        }
        if host == nil, out[ForwardedHeaders.host] == nil, let defaultHost = defaultHost() { out[ForwardedHeaders.host] = defaultHost }
        return out
    }

    /// The common case of `request(...)` written straight to wire bytes: no `HTTPFields` is built
    /// and no value re-validated (the client's fields were checked by the parser). Returns nil when
    /// the client sent X-Forwarded-* fields of its own (they are merged by `request(...)`); callers
    /// with custom headers use `request(...)` as well. Tests hold the two to the same output.
    static func requestRaw(from head: RequestHead, remoteHost: String, isTLS: Bool, xForward: Bool,
                           framing: BodyFraming, defaultHost: @autoclosure () -> String?) -> RawFields? {
        let (client, host, hasForwardedFields, wroteContentLength) = clientFields(head, framing: framing)
        if hasForwardedFields { return nil }
        var out = client
        // Names as written by CHP (http-proxy), from static strings: no String per name.
        if head.isUpgrade { out.append("Connection", "upgrade") }
        if xForward {
            let proto = head.isUpgrade ? (isTLS ? "wss" : "ws") : (isTLS ? "https" : "http")
            out.append("X-Forwarded-For", remoteHost)
            out.append("X-Forwarded-Port", host.flatMap(port(ofHost:)) ?? (isTLS ? "443" : "80"))
            out.append("X-Forwarded-Proto", proto)
            if !head.isUpgrade, let host { out.append("X-Forwarded-Host", host) }
        }
        switch framing {
        case .chunked: out.append("Transfer-Encoding", "chunked")
        case .contentLength(let length) where !wroteContentLength: out.append("Content-Length", String(length))
        default: break
        }
        if host == nil, let defaultHost = defaultHost() { out.append("Host", defaultHost) }
        return out
    }

    /// The client's fields as both builders forward them (`RawFields.forwardableRequest`): a parsed
    /// head's lines as received, any other head's fields written as lines first. Connection-specific
    /// fields and those Connection names are dropped (an upgrade keeps Upgrade), Content-Length is
    /// replaced by the framing actually used. Also the first Host value, whether the client sent
    /// X-Forwarded-* fields, and whether Content-Length was written.
    private static func clientFields(_ head: RequestHead, framing: BodyFraming)
        -> (fields: RawFields, host: String?, hasForwardedFields: Bool, wroteContentLength: Bool)
    {
        var length: Int? = nil
        if case .contentLength(let n) = framing { length = n }
        let lines = head.receivedFields ?? RawFields(head.headers)
        return lines.forwardableRequest(keepUpgrade: head.isUpgrade, contentLength: length)
    }

    /// Appends to an existing X-Forwarded value with `,` (as http-proxy does) or adds the field.
    static func append(_ fields: inout HTTPFields, _ name: HTTPField.Name, _ value: String) {
        let existing = fields[values: name]
        if existing.isEmpty {
            fields.append(HTTPField(name: name, value: value))
        } else {
            fields[name] = existing.joined(separator: ",") + "," + value
        }
    }

    /// The port in a Host value (`example.com:8000`, `[::1]:8000`), if any.
    static func port(ofHost host: String) -> String? {
        // Scan bytes from the end: digits, then a colon that is not inside an IPv6 literal.
        let bytes = host.utf8
        var index = bytes.endIndex
        while index > bytes.startIndex {
            let previous = bytes.index(before: index)
            let byte = bytes[previous]
            if byte == UInt8(ascii: ":") {
                return index == bytes.endIndex ? nil : String(host[index...])
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            index = previous
        }
        return nil
    }

    /// The Host value without its port, for host routing.
    static func hostWithoutPort(_ host: String) -> Substring {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return host[...close] }
        if let colon = host.firstIndex(of: ":") { return host[..<colon] }
        return host[...]
    }

    /// Response fields for a plain (non-upgrade) response, copied only when they must change: the
    /// server already replaces Content-Length, Transfer-Encoding, Connection and Keep-Alive, so an
    /// upstream that sends nothing else hop-by-hop (and `Connection: keep-alive` at most, never
    /// `close` or extra names) passes its fields through without a copy.
    static func plainResponse(from fields: HTTPFields) -> HTTPFields {
        for field in fields {
            let lower = field.name.canonicalName
            guard isHopByHop(lower) else { continue }
            switch lower {
            case "keep-alive", "transfer-encoding": continue
            case "connection" where field.value.caseInsensitiveEquals("keep-alive"): continue
            default: return response(from: fields, keepUpgrade: false)
            }
        }
        return fields
    }

    /// Response fields passed to the client: hop-by-hop fields removed (the server frames the body).
    static func response(from fields: HTTPFields, keepUpgrade: Bool) -> HTTPFields {
        let extra = hasConnectionField(fields) ? connectionTokens(fields) : []
        var out = HTTPFields()
        out.reserveCapacity(fields.count)
        for field in fields {
            let lower = field.name.canonicalName
            if keepUpgrade, lower.utf8.count == 7 || lower.utf8.count == 10, lower == "upgrade" || lower == "connection" {
                out.append(field)
                continue
            }
            if isHopByHop(lower) || (!extra.isEmpty && extra.contains(lower)) { continue }
            out.append(field)
        }
        return out
    }
}

extension String {
    /// ASCII case-insensitive equality (header tokens).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
        }
    }
}
