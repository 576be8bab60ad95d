// JupyterHub's opt-in pagination (contract §5). `Accept: application/jupyterhub-pagination+json` (alone or
// as one item of a list) selects the `{"items", "_pagination"}` envelope with a default limit of 50; without
// it the answer is a bare list cut at the maximum (200), so old clients see everything they used to.
import Foundation
import HTTP
import HTTPTypes

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
}

extension APIRequest {
    /// `offset` and `limit` from the query as JupyterHub reads them (absolute values, limit clamped to
    /// 1…200); a non-integer is 400 "Invalid argument type, offset and limit must be integers".
    public func pagination() throws(HubError) -> PageParameters {
        let accept = header(.accept) ?? ""
        let envelope = accept.split(separator: ",").contains {
            $0.trimmingCharacters(in: .whitespaces).lowercased() == PageParameters.mediaType
        }
        func number(_ name: String, default value: Int) throws(HubError) -> Int {
            guard let text = query[name] else { return value }
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n != .min else {
                throw HubError.badRequest("Invalid argument type, offset and limit must be integers")
            }
            return abs(n)
        }
        let offset = try number("offset", default: 0)
        let limit = try number("limit", default: envelope ? PageParameters.defaultLimit : PageParameters.maxLimit)
        return PageParameters(offset: offset, limit: min(max(limit, 1), PageParameters.maxLimit), envelope: envelope)
    }
}

extension PageParameters {
    /// The list answer: `writeItems` writes this page's items (each one JSON value) into an array, wrapped in
    /// the envelope when asked for. `next.url` is absolute and keeps every original query parameter (the
    /// idle culler follows it verbatim).
    public func response(total: Int, request: APIRequest, writeItems: (inout JSONWriter) -> Void) -> HTTPServerResponse {
        var w = JSONWriter(capacity: 4096)
        if envelope { w.beginObject(); w.key("items") }
        w.beginArray()
        writeItems(&w)
        w.endArray()
        if envelope {
            w.key("_pagination")
            PaginationMeta.write(offset: offset, limit: limit, total: total, to: &w) { nextURL(request, offset: $0) }
            w.endObject()
        }
        return .json(w)
    }

    /// The request's own absolute URL with `offset` and `limit` replaced (in place, or appended when absent),
    /// other parameters kept in their order, form-encoded as Python's `urlencode` does.
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
            (values[name] ?? []).map { Self.formEncode(name) + "=" + Self.formEncode($0) }
        }.joined(separator: "&")
        let scheme = request.isSecure ? "https" : "http"
        let host = request.header(HTTPField.Name("Host")!) ?? "127.0.0.1"
        return "\(scheme)://\(host)\(request.head.path)?\(query)"
    }

    private static func formEncode(_ text: String) -> String { PaginationMeta.formEncode(text) }
}

/// The `_pagination` object every paginated hub list ends with (one writer for users, groups, proxy and shares).
enum PaginationMeta {
    /// Writes `{"offset", "limit", "total", "next": {offset, limit, url} | null}`; `nextURL` builds the absolute
    /// URL of the page at the given offset (only called when there is a next page).
    static func write(offset: Int, limit: Int, total: Int, to w: inout JSONWriter, nextURL: (Int) -> String) {
        w.beginObject()
        w.key("offset"); w.int(offset)
        w.key("limit"); w.int(limit)
        w.key("total"); w.int(total)
        w.key("next")
        let nextOffset = offset + limit
        if nextOffset < total {
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
        PercentEncoding.encode(text).replacingOccurrences(of: "%20", with: "+")
    }
}
