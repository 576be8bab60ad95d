// The share and share-code REST models. The server appears in a reduced form — where it is, whose
// it is and whether it is up — since a grantee may not read the owner's full server model.
import Store

/// Writes share and share-code models.
struct ShareModels: Sendable {
    let urls: HubURLs

    init(hub: Hub) { urls = HubURLs(baseURL: hub.baseURL) }

    /// `{"user": {"name"}, "name", "url", "full_url", "ready"}`.
    func writeServer(_ server: Server, owner: String, to w: inout JSONWriter) {
        w.beginObject()
        w.key("user"); w.beginObject(); w.key("name"); w.string(owner); w.endObject()
        w.key("name"); w.string(server.name)
        w.key("url"); w.string(urls.serverURL(user: owner, server: server.name))
        // PawsHub has no `public_url`, so the absolute URL is null as in JupyterHub without one.
        w.key("full_url"); w.null()
        w.key("ready"); w.bool(server.ready)
        w.endObject()
    }

    /// The share model: server, scopes, exactly one of user/group (the other null), kind, created_at.
    func writeShare(_ detail: ShareDetail, to w: inout JSONWriter) {
        let isGroup = detail.share.groupID != nil
        w.beginObject()
        w.key("server"); writeServer(detail.server, owner: detail.ownerName, to: &w)
        w.key("scopes"); w.strings(detail.share.scopes)
        w.key("user")
        if isGroup { w.null() } else { w.beginObject(); w.key("name"); w.string(detail.granteeName); w.endObject() }
        w.key("group")
        if isGroup { w.beginObject(); w.key("name"); w.string(detail.granteeName); w.endObject() } else { w.null() }
        w.key("kind"); w.string(isGroup ? "group" : "user")
        w.key("created_at"); w.timestamp(detail.share.created)
        w.endObject()
    }

    /// The share-code model; `code` (the clear code, only at creation) adds `code`, `accept_url`, `full_accept_url`.
    func writeShareCode(_ detail: ShareCodeDetail, code: String? = nil, to w: inout JSONWriter) {
        w.beginObject()
        w.key("server"); writeServer(detail.server, owner: detail.ownerName, to: &w)
        w.key("scopes"); w.strings(detail.code.scopes)
        w.key("id"); w.string("sc_\(detail.code.id.rawValue)")
        w.key("created_at"); w.timestamp(detail.code.created)
        w.key("expires_at"); w.timestamp(detail.code.expiresAt)
        w.key("exchange_count"); w.int(detail.code.exchangeCount)
        w.key("last_exchanged_at"); w.timestamp(detail.code.lastExchangedAt)
        if let code {
            w.key("code"); w.string(code)
            w.key("accept_url"); w.string(acceptURL(code: code))
            w.key("full_accept_url"); w.null()
        }
        w.endObject()
    }

    /// `<base>hub/accept-share?code=…` (share codes are url-safe, so the code needs no escaping).
    func acceptURL(code: String) -> String { urls.baseURL + "hub/accept-share?code=" + code }
}
