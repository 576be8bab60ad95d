// Extension points other modules plug into without editing the pipeline: hub pages (HTML under
// `<base>hub/`) and per-request observation (the `/hub/metrics` request histogram).
import HTTP

/// What a page handler answers with, plus what the access log and metrics need to know.
public struct PageResponse: Sendable {
    public var response: HTTPServerResponse
    /// The logged-in user's name for the access log, nil when anonymous.
    public var user: String?
    /// JupyterHub's handler class path (metrics `handler` label), e.g. `jupyterhub.handlers.pages.HomeHandler`.
    public var handlerName: String

    public init(_ response: HTTPServerResponse, user: String? = nil, handlerName: String) {
        self.response = response; self.user = user; self.handlerName = handlerName
    }
}

/// Serves every `<base>hub/...` path that is not the API or health; installed by the pages module.
public protocol HubPages: Sendable {
    /// Answers a page request; a thrown `HubError` becomes an HTML error page.
    func respond(to request: HTTPServerRequest, hub: Hub) async throws -> PageResponse
}

/// Sees every finished hub request (for the `request_duration_seconds` histogram).
public protocol RequestObserver: Sendable {
    func observe(method: String, handlerName: String, status: Int, duration: Duration)
}

/// JupyterHub's handler names for what the pipeline answers itself.
public enum BuiltinHandlerNames {
    public static let api404 = APIEndpoint.notFoundName
    public static let template404 = "jupyterhub.handlers.base.Template404"
    public static let prefixRedirect = "jupyterhub.handlers.base.PrefixRedirectHandler"
    public static let addSlash = "tornado.web.RedirectHandler"
    public static let health = HubAPI.healthHandlerName
}
