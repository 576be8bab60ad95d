// JupyterHub's list pagination (contract §5): `offset`/`limit` with its clamping, the opt-in
// `Accept: application/jupyterhub-pagination+json` envelope, and an absolute `next.url` that keeps
// every query parameter, because the idle culler follows it verbatim.
import HTTP
import HTTPTypes
import Store

/// The page a list request asks for, and how to answer it.
public struct APIPagination: Sendable, Equatable {
    /// The media type that opts into the envelope.
    public static let mediaType = "application/jupyterhub-pagination+json"
    /// Default `limit` with the envelope (`api_page_default_limit`).
    public static let defaultLimit = 50
    private static let hostField = HTTPField.Name("Host")!  // a valid literal token
    /// Largest `limit` (`api_page_max_limit`); also the size of an un-paginated list.
    public static let maxLimit = 200

    /// Rows to skip (absolute value of the parameter, as JupyterHub).
    public let offset: Int
    /// Rows per page, clamped to 1…200.
    public let limit: Int
    /// Whether the caller asked for the envelope.
    public let enveloped: Bool

    /// Reads `offset`/`limit` and the `Accept` header; non-integers → 400 with JupyterHub's message.
    public init(_ request: APIRequest) throws(HubError) {
        try self.init(query: request.query, accept: request.header(.accept))
    }

    /// The pagination for a query and `Accept` header value.
    public init(query: QueryParameters, accept: String?) throws(HubError) {
        enveloped = accept.map(Self.acceptsEnvelope) ?? false
        let invalid = HubError.badRequest("Invalid argument type, offset and limit must be integers")
        var offset = 0
        if let text = query["offset"] {
            guard let value = Int(text.trimmingSpaces) else { throw invalid }
            offset = value == .min ? .max : abs(value)
        }
        var limit = enveloped ? Self.defaultLimit : Self.maxLimit
        if let text = query["limit"] {
            guard let value = Int(text.trimmingSpaces) else { throw invalid }
            limit = value == .min ? .max : abs(value)
        }
        self.offset = offset
        self.limit = min(max(limit, 1), Self.maxLimit)
    }

    /// Whether an `Accept` value lists the pagination media type (one item of a comma-separated list).
    static func acceptsEnvelope(_ accept: String) -> Bool {
        accept.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == mediaType }
    }

    /// The store request for this page.
    public var page: PageRequest { PageRequest(offset: offset, limit: limit) }

    /// Writes `items` as a plain list, or inside the envelope with `total` and the next page's absolute URL.
    public func write(total: Int, request: APIRequest, to w: inout JSONWriter, items: (inout JSONWriter) -> Void) {
        guard enveloped else {
            w.beginArray(); items(&w); w.endArray()
            return
        }
        w.beginObject()
        w.key("items"); w.beginArray(); items(&w); w.endArray()
        w.key("_pagination"); w.beginObject()
        w.key("offset"); w.int(offset)
        w.key("limit"); w.int(limit)
        w.key("total"); w.int(total)
        w.key("next")
        let (nextOffset, overflow) = offset.addingReportingOverflow(limit)
        if !overflow, nextOffset < total {
            w.beginObject()
            w.key("offset"); w.int(nextOffset)
            w.key("limit"); w.int(limit)
            w.key("url"); w.string(Self.nextURL(request, offset: nextOffset, limit: limit))
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
        w.endObject()
    }

    /// The request's absolute URL with `offset`/`limit` replaced (kept in place if present, else appended),
    /// every other parameter kept in order — what JupyterHub rebuilds from `request.full_url()`.
    static func nextURL(_ request: APIRequest, offset: Int, limit: Int) -> String {
        var names: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in request.query.pairs {
            if values[name] == nil { names.append(name) }
            values[name, default: []].append(value)
        }
        for (name, value) in [("offset", offset), ("limit", limit)] {
            if values[name] == nil { names.append(name) }
            values[name] = [String(value)]
        }
        var query: [String] = []
        for name in names {
            for value in values[name] ?? [] { query.append(formEncode(name) + "=" + formEncode(value)) }
        }
        let scheme = request.isSecure ? "https" : "http"
        let host = request.header(Self.hostField).flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        return scheme + "://" + host + String(request.head.path) + "?" + query.joined(separator: "&")
    }

    /// `application/x-www-form-urlencoded` as Python's `urlencode` writes it (space → `+`).
    private static func formEncode(_ text: String) -> String {
        var encoded = PercentEncoding.encode(text, keeping: " ")
        if encoded.contains(" ") { encoded = encoded.replacingSpaces() }
        return encoded
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Python's `int()` accepts them around a number).
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension String {
    fileprivate func replacingSpaces() -> String { String(map { $0 == " " ? "+" : $0 }) }
}
