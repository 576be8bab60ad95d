// Which proxy the hub drives (`JupyterHub.proxy_class`): the embedded route table, or an external
// configurable-http-proxy through its REST API. `PATCH /hub/api/proxy` can point the hub at a new external proxy
// at run time ("a new proxy is in charge"), so the registrar in use is swappable.
import Logging
import Proxy
import Synchronization

/// The proxy the hub adds and removes routes on.
public final class ProxyRouting: Sendable {
    private struct State: Sendable {
        var registrar: any RouteRegistrar
        var apiURL: String?
        var authToken: String?
        var http: any OutgoingHTTP
    }

    /// The route table the embedded proxy serves from (nil with an external proxy): give it to the proxy server.
    public let embeddedTable: RouteTable?
    private let state: Mutex<State>
    private let logger: Logger

    init(configuration: HubConfiguration, environment: [String: String], http: any OutgoingHTTP, logger: Logger) {
        self.logger = logger
        switch configuration.jupyterHub.proxyClass {
        case .embedded:
            let table = RouteTable()
            embeddedTable = table
            state = Mutex(State(registrar: EmbeddedRouteRegistrar(table: table), apiURL: nil, authToken: nil, http: http))
        case .configurableHTTPProxy:
            let settings = configuration.configurableHTTPProxy
            let url = settings.apiURL.description
            let token = settings.authToken?.value ?? environment["CONFIGPROXY_AUTH_TOKEN"]
            embeddedTable = nil
            state = Mutex(State(registrar: CHPRouteRegistrar(apiURL: url, authToken: token, http: http, logger: logger),
                                apiURL: url, authToken: token, http: http))
        }
    }

    /// The registrar in use now.
    public var registrar: any RouteRegistrar { state.withLock { $0.registrar } }

    /// The external proxy's API URL, nil for the embedded proxy.
    public var apiURL: String? { state.withLock { $0.apiURL } }

    /// Points the hub at an external proxy's REST API (`PATCH /hub/api/proxy`); omitted values keep the
    /// current ones. The embedded proxy is left alone when only a token is given.
    public func update(apiURL: String?, authToken: String?) {
        state.withLock { state in
            guard let url = apiURL ?? state.apiURL else { return }
            let token = authToken ?? state.authToken
            state.apiURL = url
            state.authToken = token
            state.registrar = CHPRouteRegistrar(apiURL: url, authToken: token, http: state.http, logger: logger)
        }
        logger.info("Updated proxy at \(apiURL ?? self.apiURL ?? "embedded")")
    }

    /// Uses `http` for an external proxy's API from now on.
    func use(http: any OutgoingHTTP) {
        state.withLock { state in
            state.http = http
            if let url = state.apiURL {
                state.registrar = CHPRouteRegistrar(apiURL: url, authToken: state.authToken, http: http, logger: logger)
            }
        }
    }
}
