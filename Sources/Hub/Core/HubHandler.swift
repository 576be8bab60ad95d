// The request pipeline for everything the hub serves: routing under `<base>hub/`, identity, the
// hub-wide headers, error mapping and the access log. API endpoints run through `Router<APIEndpoint>`.
import HTTP
import HTTPTypes
import Logging

struct HubHandler: HTTPHandler {
    let hub: Hub

    static let versionHeader = HTTPField.Name("X-JupyterHub-Version")!
    static let allowHeaders = "accept, content-type, authorization"
    static let pageCSP = "frame-ancestors 'none'; report-uri /hub/security/csp-report"
    static let apiCSP = pageCSP + "; default-src 'none'"
    // The hub-wide fields, validated once (building an HTTPField checks every byte of its value).
    static let versionField = HTTPField(name: versionHeader, value: Hub.jupyterHubVersion)
    static let allowHeadersField = HTTPField(name: .accessControlAllowHeaders, value: allowHeaders)
    static let pageCSPField = HTTPField(name: .contentSecurityPolicy, value: pageCSP)
    static let apiCSPField = HTTPField(name: .contentSecurityPolicy, value: apiCSP)
    static let jsonContentType = HTTPField(name: .contentType, value: "application/json")

    func handle(_ request: HTTPServerRequest) async throws -> HTTPServerResponse {
        let started = ContinuousClock.now
        let head = request.head
        let path = String(head.path)
        let ip = Self.clientIP(request)
        let apiRoot = hub.apiRoot
        var user: String? = nil
        var quiet = false
        var response: HTTPServerResponse
        var handlerName: String
        let isAPI = path == apiRoot || path.hasPrefix(hub.apiRootSlash)

        if isAPI {
            // By UTF-8 length: the root is a prefix of the path, and counting Characters walks both strings.
            let relative = Substring(path.utf8.dropFirst(apiRoot.utf8.count))
            (response, user, handlerName) = await api(request, relativePath: relative, ip: ip)
            quiet = handlerName == BuiltinHandlerNames.health
        } else if path == hub.healthPath {
            response = HTTPServerResponse(status: .ok)
            handlerName = BuiltinHandlerNames.health
            quiet = true
        } else if path + "/" == hub.hubPrefix {
            response = Self.redirect(.movedPermanently, to: hub.hubPrefix + (head.query.map { "?" + $0 } ?? ""))
            handlerName = BuiltinHandlerNames.addSlash
        } else if !path.hasPrefix(hub.hubPrefix) {
            response = outsideHub(head)
            handlerName = BuiltinHandlerNames.prefixRedirect
        } else {
            (response, user, handlerName) = await page(request)
        }

        // A handler's own values win (a page may set its own policy).
        response.headers.appendIfAbsent(Self.versionField)
        response.headers.appendIfAbsent(Self.allowHeadersField)
        response.headers.appendIfAbsent(isAPI ? Self.apiCSPField : Self.pageCSPField)
        let elapsed = ContinuousClock.now - started
        AccessLog.log(hub.logger, status: response.status.code, method: head.method.rawValue, target: head.target,
                      user: user, ip: ip, elapsed: elapsed, location: response.headers.value(.location), quiet: quiet)
        for observer in hub.requestObservers {
            observer.observe(method: head.method.rawValue, handlerName: handlerName, status: response.status.code, duration: elapsed)
        }
        return response
    }

    /// Hub pages through the installed `HubPages`, HTML 404 without one.
    private func page(_ request: HTTPServerRequest) async -> (HTTPServerResponse, String?, String) {
        guard let pages = hub.pages else {
            return (ErrorResponses.html(HubError.notFound()), nil, BuiltinHandlerNames.template404)
        }
        do {
            let page = try await pages.respond(to: request, hub: hub)
            return (page.response, page.user, page.handlerName)
        } catch {
            let hubError = ErrorResponses.hubError(for: error, logger: hub.logger,
                                                   context: "\(request.head.method.rawValue) \(AccessLog.scrub(request.head.target))")
            return (ErrorResponses.html(hubError), nil, BuiltinHandlerNames.template404)
        }
    }

    /// Runs an API request; returns the response, the caller's name for the log, and the handler name.
    private func api(_ request: HTTPServerRequest, relativePath: Substring, ip: String)
        async -> (HTTPServerResponse, String?, String)
    {
        let method = request.head.method
        let route = relativePath.isEmpty ? "/" : relativePath
        if method == .options {
            // CORS preflight: 200 on any API path, named after the endpoint it would reach.
            var name = BuiltinHandlerNames.api404
            switch hub.router.match(.get, path: route) {
            case .found(let endpoint, _): name = endpoint.name
            default: if case .found(let endpoint, _) = hub.router.match(.post, path: route) { name = endpoint.name }
            }
            return (HTTPServerResponse(status: .ok), nil, name)
        }
        var identity: Identity? = nil
        var endpoint: APIEndpoint? = nil
        do {
            switch hub.router.match(method, path: route) {
            case .notFound:
                throw HubError.notFound()
            case .methodNotAllowed(let allowed):
                var headers = HTTPFields()
                headers[.allow] = (allowed + [.options]).map(\.rawValue).joined(separator: ", ")
                throw HubError(.methodNotAllowed, "Method Not Allowed", headers: headers)
            case .found(let found, let parameters):
                endpoint = found
                identity = try await hub.identify(request)
                let apiRequest = APIRequest(head: request.head, path: parameters, identity: identity, hub: hub,
                                            remoteIP: ip, isSecure: Self.isSecure(request), body: request.body)
                var response = try await found.run(apiRequest)
                if case .bytes = response.body { response.headers.appendIfAbsent(Self.jsonContentType) }
                afterRequest(found, method: method)
                return (response, identity?.name, found.name)
            }
        } catch {
            if let endpoint { afterRequest(endpoint, method: method) }
            let hubError = ErrorResponses.hubError(for: error, logger: hub.logger, context: "\(method.rawValue) \(AccessLog.scrub(request.head.target))")
            return (ErrorResponses.json(hubError), identity?.name, endpoint?.name ?? BuiltinHandlerNames.api404)
        }
    }

    /// Writes can change what tokens may do; make cached identities stale once they are done.
    private func afterRequest(_ endpoint: APIEndpoint, method: HTTPRequest.Method) {
        let changes = endpoint.changesIdentities ?? !(method == .get || method == .head)
        if changes { hub.identitiesChanged() }
    }

    /// Paths outside `<base>hub/` are sent to the same path under it (JupyterHub's prefix redirect).
    private func outsideHub(_ head: RequestHead) -> HTTPServerResponse {
        let base = hub.baseURL
        let path = String(head.path)
        guard path.hasPrefix(base) || path + "/" == base else {
            return ErrorResponses.html(HubError.notFound())
        }
        let rest = path.count > base.count ? String(path.dropFirst(base.count)) : ""
        return Self.redirect(.found, to: hub.hubPrefix + rest + (head.query.map { "?" + $0 } ?? ""))
    }

    static func redirect(_ status: HTTPResponse.Status, to location: String) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [.location: location], body: .empty)
    }

    /// The client address: the last `X-Forwarded-For` hop (added by our proxy), else the peer.
    static func clientIP(_ request: HTTPServerRequest) -> String {
        if let real = request.head.value(.xRealIP), !real.isEmpty { return real }
        if let forwarded = request.head.value(.xForwardedFor),
           let last = forwarded.split(separator: ",").last {
            let trimmed = last.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            if !trimmed.isEmpty { return String(trimmed) }
        }
        return request.remoteHost
    }

    static func isSecure(_ request: HTTPServerRequest) -> Bool {
        if request.isTLS { return true }
        return request.head.value(.xForwardedProto)?.lowercased().hasPrefix("https") ?? false
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let xRealIP = HTTPField.Name("X-Real-Ip")!
}
