// The request head sent upstream: the client's fields in order, minus hop-by-hop fields, plus
// X-Forwarded-* and custom headers (contract §3). Built directly from the parsed fields, no
// re-parsing.
import HTTP
import HTTPTypes

/// Builds the header fields of a forwarded request.
enum ForwardedHeaders {
    /// Fields that describe one connection and must not be forwarded (RFC 9110 §7.6.1).
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedPort = HTTPField.Name("X-Forwarded-Port")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
    /// HTTPTypes hides `Host` (it models `:authority`); HTTP/1.1 forwarding needs the field itself.
    static let host = HTTPField.Name("Host")!

    /// Field names listed in `Connection` (also connection-specific).
    static func connectionTokens(_ fields: HTTPFields) -> Set<String> {
        var tokens: Set<String> = []
        for field in fields where field.name == .connection {
            for token in field.value.split(separator: ",") {
                let name = token.trimmingSpaces.lowercased()
                if !name.isEmpty { tokens.insert(name) }
            }
        }
        return tokens
    }

    /// The fields for the upstream request.
    static func request(from head: RequestHead, remoteHost: String, isTLS: Bool, xForward: Bool,
                        customHeaders: [(name: HTTPField.Name, value: String)]) -> HTTPFields {
        let extra = head.headers.contains(where: { $0.name == .connection }) ? connectionTokens(head.headers) : []
        var out = HTTPFields()
        out.reserveCapacity(head.headers.count + 6)
        for field in head.headers {
            let lower = field.name.canonicalName
            if hopByHop.contains(lower) || extra.contains(lower) {
                // An upgrade keeps its Upgrade and Connection: upgrade so the upstream can switch.
                if head.isUpgrade, lower == "upgrade" { out.append(field) }
                continue
            }
            out.append(field)
        }
        if head.isUpgrade {
            out.append(HTTPField(name: .connection, value: "upgrade"))
        }
        if xForward {
            let proto = head.isUpgrade ? (isTLS ? "wss" : "ws") : (isTLS ? "https" : "http")
            let host = head.headers[ForwardedHeaders.host]
            append(&out, forwardedFor, remoteHost)
            append(&out, forwardedPort, host.flatMap(port(ofHost:)) ?? (isTLS ? "443" : "80"))
            append(&out, forwardedProto, proto)
            if !head.isUpgrade, out[forwardedHost] == nil, let host { out[forwardedHost] = host }
        }
        for (name, value) in customHeaders { out[name] = value }
        return out
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
        let afterBracket = host.lastIndex(of: "]").map { host[$0...] } ?? host[...]
        guard let colon = afterBracket.lastIndex(of: ":") else { return nil }
        let port = afterBracket[afterBracket.index(after: colon)...]
        return port.isEmpty ? nil : String(port)
    }

    /// The Host value without its port, for host routing.
    static func hostWithoutPort(_ host: String) -> Substring {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return host[...close] }
        if let colon = host.firstIndex(of: ":") { return host[..<colon] }
        return host[...]
    }

    /// Response fields passed to the client: hop-by-hop fields removed (the server frames the body).
    static func response(from fields: HTTPFields, keepUpgrade: Bool) -> HTTPFields {
        let extra = fields.contains(where: { $0.name == .connection }) ? connectionTokens(fields) : []
        var out = HTTPFields()
        out.reserveCapacity(fields.count)
        for field in fields {
            let lower = field.name.canonicalName
            if keepUpgrade, lower == "upgrade" || lower == "connection" { out.append(field); continue }
            if hopByHop.contains(lower) || extra.contains(lower) { continue }
            out.append(field)
        }
        return out
    }
}
