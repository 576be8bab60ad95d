// Pagination of the sharing lists (`/shares…`, `/share-codes…`, `…/shared`). These always answer with
// the `{"items", "_pagination"}` envelope; the Accept header only changes the default page size
// (50 with `application/jupyterhub-pagination+json`, else the 200 maximum), as in JupyterHub.
import Foundation
import HTTP
import HTTPTypes
import Store

/// The page a sharing list request asked for.
struct SharePaging: Sendable {
    /// JupyterHub's `api_page_default_limit` and `api_page_max_limit`.
    static let defaultLimit = 50
    static let maxLimit = 200
    static let acceptType = "application/jupyterhub-pagination+json"

    let offset: Int
    let limit: Int

    /// Reads `offset`/`limit` (absolute values; limit clamped to 1…200); 400 for non-integers.
    init(_ request: APIRequest) throws(HubError) {
        let accepts = request.header(.accept).map(Self.acceptsPagination) ?? false
        let invalid = HubError.badRequest("Invalid argument type, offset and limit must be integers")
        var offset = 0
        if let text = request.query["offset"] {
            guard let value = Self.integer(text) else { throw invalid }
            offset = value
        }
        var limit = accepts ? Self.defaultLimit : Self.maxLimit
        if let text = request.query["limit"] {
            guard let value = Self.integer(text) else { throw invalid }
            limit = min(max(value, 1), Self.maxLimit)
        }
        self.offset = offset
        self.limit = limit
    }

    /// The Store request for this page.
    var pageRequest: PageRequest { PageRequest(offset: offset, limit: limit) }

    /// Whether an `Accept` value lists the pagination media type (possibly among others).
    static func acceptsPagination(_ accept: String) -> Bool {
        accept.split(separator: ",").contains { item in
            let type = item.split(separator: ";", maxSplits: 1).first ?? ""
            return String(type).trimmed(of: " \t").lowercased() == acceptType
        }
    }

    /// Python's `abs(int(text))`: optional surrounding spaces and sign, decimal digits; nil otherwise.
    static func integer(_ text: String) -> Int? {
        var digits = Substring(text.trimmed(of: " \t\n\r"))
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Absurdly large offsets cannot match rows; cap instead of overflowing.
        return Int(digits) ?? Int(Int32.max)
    }

    /// Writes `{"items": [...], "_pagination": {...}}`; `next` carries an absolute URL with every
    /// original query parameter kept and `offset`/`limit` set, which clients follow verbatim.
    func envelope<Item>(_ items: [Item], total: Int, request: APIRequest, item: (Item, inout JSONWriter) -> Void) -> JSONWriter {
        var w = JSONWriter(capacity: 256 + items.count * 256)
        w.beginObject()
        w.key("items")
        w.beginArray()
        for entry in items { item(entry, &w) }
        w.endArray()
        w.key("_pagination")
        PaginationMeta.write(offset: offset, limit: limit, total: total, to: &w) { nextURL(request, offset: $0) }
        w.endObject()
        return w
    }

    private func nextURL(_ request: APIRequest, offset nextOffset: Int) -> String {
        var pairs = request.query.pairs.map { (name: $0.name, value: $0.value) }
        for (name, value) in [("offset", String(nextOffset)), ("limit", String(limit))] {
            if let i = pairs.firstIndex(where: { $0.name == name }) {
                // Like Python's parse_qs/urlencode: one value, where the name first appeared.
                pairs[i].value = value
                pairs = pairs.enumerated().filter { $0.offset <= i || $0.element.name != name }.map(\.element)
            } else {
                pairs.append((name, value))
            }
        }
        let query = pairs.map { Self.formEncode($0.name) + "=" + Self.formEncode($0.value) }.joined(separator: "&")
        let scheme = request.isSecure ? "https" : "http"
        let host = HTTPField.Name("Host").flatMap { request.header($0) } ?? "127.0.0.1"
        return scheme + "://" + host + String(request.head.path) + "?" + query
    }

    static func formEncode(_ text: String) -> String { PaginationMeta.formEncode(text) }
}

extension String {
    fileprivate func trimmed(of set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
