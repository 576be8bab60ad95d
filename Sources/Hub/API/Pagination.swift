// JupyterHub's list pagination (contract §5), in one place for every list (users, groups, proxy routes,
// shares, share codes). `Accept: application/jupyterhub-pagination+json` (alone or as one item of a list)
// selects the `{"items", "_pagination"}` envelope with a default limit of 50; without it the answer is a
// bare list cut at the maximum (200), so old clients see everything they used to. The sharing lists
// always answer with the envelope (the header then only sets the default limit), as in JupyterHub.
import HTTP
import HTTPTypes
import Store

/// The slice of a list a request asks for, and in which shape to answer.
public struct PageParameters: Sendable, Equatable {
    /// The media type that opts into the envelope.
    public static let mediaType = "application/jupyterhub-pagination+json"
    /// Default `limit` with the envelope (`api_page_default_limit`).
    public static let defaultLimit = 50
    /// Largest `limit` honoured (`api_page_max_limit`); also the bare-list default.
    public static let maxLimit = 200

    /// Rows to skip.
    public let offset: Int
    /// Rows to return, in 1…`maxLimit`.
    public let limit: Int
    /// Whether to answer with the `{"items", "_pagination"}` envelope.
    public let envelope: Bool

    /// The store request for this page.
    public var pageRequest: PageRequest { PageRequest(offset: offset, limit: limit) }

    /// Whether an `Accept` value lists the media type: JupyterHub splits on commas and compares each
    /// stripped, lower-cased item whole.
    static func acceptsEnvelope(_ accept: String) -> Bool {
        accept.split(separator: ",").contains { String(pythonStripped($0)).lowercased() == mediaType }
    }

    /// `abs(int(text))` as Python reads it: surrounding whitespace, an optional sign, decimal digits (any script) with
    /// single underscores between them. Values past `Int.max` saturate (no row is that far); nil otherwise.
    static func pythonInteger(_ text: String) -> Int? {
        var body = pythonStripped(text[...])
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        var value = 0
        var previousWasDigit = false
        for scalar in body.unicodeScalars {
            if scalar == "_" {
                guard previousWasDigit else { return nil }
                previousWasDigit = false
                continue
            }
            // Any Unicode decimal digit, as Python's int() takes (ASCII nearly always).
            guard scalar.properties.numericType == .decimal, let numeric = scalar.properties.numericValue else { return nil }
            let digit = Int(numeric)
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(digit)
            value = o1 || o2 ? .max : sum
            previousWasDigit = true
        }
        return previousWasDigit ? value : nil
    }

    /// Without Python's `str.strip()` whitespace at either end.
    private static func pythonStripped(_ text: Substring) -> Substring {
        // By scalars: "\r\n" is one Character.
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" }
        var scalars = text.unicodeScalars
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return Substring(scalars)
    }
}

extension APIRequest {
    /// `offset` and `limit` from the query as JupyterHub's `get_api_pagination` reads them (absolute values,
    /// limit clamped to 1…200); a non-integer is 400 "Invalid argument type, offset and limit must be
    /// integers". `alwaysEnveloped`: the sharing lists, whose answer is always the envelope.
    public func pagination(alwaysEnveloped: Bool = false) throws(HubError) -> PageParameters {
        let accepts = header(.accept).map(PageParameters.acceptsEnvelope) ?? false
        func number(_ name: String, default value: Int) throws(HubError) -> Int {
            guard let text = query[name] else { return value }
            guard let n = PageParameters.pythonInteger(text) else {
                throw HubError.badRequest("Invalid argument type, offset and limit must be integers")
            }
            return n
        }
        let offset = try number("offset", default: 0)
        let limit = try number("limit", default: accepts ? PageParameters.defaultLimit : PageParameters.maxLimit)
        return PageParameters(offset: offset, limit: min(max(limit, 1), PageParameters.maxLimit),
                              envelope: accepts || alwaysEnveloped)
    }
}

extension PageParameters {
    /// Writes a list answer: `items` writes this page's items (each one JSON value) into an array, wrapped
    /// in the envelope when asked for.
    public func write(total: Int, request: APIRequest, to w: inout JSONWriter, items: (inout JSONWriter) -> Void) {
        if envelope { w.beginObject(); w.key("items") }
        w.beginArray()
        items(&w)
        w.endArray()
        if envelope {
            w.key("_pagination")
            PaginationMeta.write(offset: offset, limit: limit, total: total, to: &w) { nextURL(request, offset: $0) }
            w.endObject()
        }
    }

    /// `write(total:request:to:items:)` as a 200 JSON response.
    public func response(total: Int, request: APIRequest, items: (inout JSONWriter) -> Void) -> HTTPServerResponse {
        var w = JSONWriter(capacity: 4096)
        write(total: total, request: request, to: &w, items: items)
        return .json(w)
    }

    /// The request's own absolute URL with `offset` and `limit` replaced, as JupyterHub rebuilds it from
    /// `request.full_url()` with `parse_qs`/`urlencode`: parameters grouped by name in the order names
    /// first appear, `offset`/`limit` set to one value (appended when absent), form-encoded; the host from
    /// the `Host` header, else 127.0.0.1 (Tornado's default).
    func nextURL(_ request: APIRequest, offset nextOffset: Int) -> String {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in request.query.pairs {
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(value)
        }
        for name in ["offset", "limit"] where values[name] == nil { order.append(name) }
        values["offset"] = [String(nextOffset)]
        values["limit"] = [String(limit)]
        let query = order.flatMap { name in
            (values[name] ?? []).map { PaginationMeta.formEncode(name) + "=" + PaginationMeta.formEncode($0) }
        }.joined(separator: "&")
        let scheme = request.isSecure ? "https" : "http"
        let host = request.header(PaginationMeta.hostField).flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        return "\(scheme)://\(host)\(request.head.path)?\(query)"
    }
}

/// The `_pagination` object every paginated hub list ends with.
enum PaginationMeta {
    static let hostField = HTTPField.Name("Host")!  // a valid literal token

    /// Writes `{"offset", "limit", "total", "next": {offset, limit, url} | null}`; `nextURL` builds the absolute
    /// URL of the page at the given offset (only called when there is a next page).
    static func write(offset: Int, limit: Int, total: Int, to w: inout JSONWriter, nextURL: (Int) -> String) {
        w.beginObject()
        w.key("offset"); w.int(offset)
        w.key("limit"); w.int(limit)
        w.key("total"); w.int(total)
        w.key("next")
        let (nextOffset, overflow) = offset.addingReportingOverflow(limit)
        if !overflow, nextOffset < total {
            w.beginObject()
            w.key("offset"); w.int(nextOffset)
            w.key("limit"); w.int(limit)
            w.key("url"); w.string(nextURL(nextOffset))
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
    }

    /// Python's `quote_plus`: unreserved characters kept, space as `+`, everything else escaped.
    static func formEncode(_ text: String) -> String {
        var encoded = PercentEncoding.encode(text, keeping: " ")
        if encoded.utf8.contains(UInt8(ascii: " ")) { encoded = String(encoded.map { $0 == " " ? "+" : $0 }) }
        return encoded
    }
}
