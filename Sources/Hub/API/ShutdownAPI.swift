// `POST /hub/api/shutdown` (`shutdown` scope): answers 202, then asks the process to stop through
// the hook `pawshub serve` installs.
import Auth
import HTTP

func registerShutdownAPI(into router: inout Router<APIEndpoint>) {
    router.add(.post, "/shutdown", APIEndpoint("jupyterhub.apihandlers.hub.ShutdownAPIHandler", changesIdentities: false) { request in
        try await request.authorize(.shutdown)
        let body = try await request.jsonObject(allowed: ["proxy", "servers"])
        let settings = request.hub.configuration.jupyterHub
        // JupyterHub's defaults: stop the proxy if the hub runs it; servers per `cleanup_servers`.
        let proxy = try body.bool("proxy") ?? (settings.proxyClass == .embedded)
        let servers = try body.bool("servers") ?? settings.cleanupServers
        guard request.hub.requestShutdown(ShutdownRequest(proxy: proxy, servers: servers)) else {
            throw HubError(.serviceUnavailable, "This hub process cannot be shut down through the API")
        }
        var w = JSONWriter()
        w.beginObject(); w.key("message"); w.string("Shutting down Hub"); w.endObject()
        return .json(w, status: .accepted)
    })
}
