import HTTPTypes
import Testing
@testable import Hub

@Suite("Hub request pipeline")
struct CorePipelineTests {
    @Test("every hub response carries the version, CSP and allow-headers headers; the API adds default-src 'none'")
    func hubWideHeaders() async throws {
        try await withHub { h in
            let api = try await h.request(.get, "/hub/api/")
            #expect(api.status == 200)
            #expect(api.header("X-JupyterHub-Version") == "6.1.1")
            #expect(api.header("Access-Control-Allow-Headers") == "accept, content-type, authorization")
            #expect(api.header("Content-Security-Policy") == "frame-ancestors 'none'; report-uri /hub/security/csp-report; default-src 'none'")
            let page = try await h.request(.get, "/hub/nowhere")
            #expect(page.status == 404)
            #expect(page.header("Content-Security-Policy") == "frame-ancestors 'none'; report-uri /hub/security/csp-report")
            #expect(page.header("X-JupyterHub-Version") == "6.1.1")
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        }
    }

    @Test("GET /hub/api and /hub/api/ answer the version without auth, with CORS *")
    func apiRoot() async throws {
        try await withHub { h in
            for path in ["/hub/api", "/hub/api/"] {
                let r = try await h.request(.get, path)
                #expect(r.status == 200)
                #expect(r.json == .object(["version": .string("6.1.1")]))
                #expect(r.header("Access-Control-Allow-Origin") == "*")
            }
            let info = try await h.request(.get, "/hub/api/info")
            #expect(info.header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test("paths outside /hub/ redirect 302 to the same path and query under /hub/")
    func prefixRedirect() async throws {
        try await withHub { h in
            let r = try await h.request(.get, "/user/alice/lab?x=1&y=2")
            #expect(r.status == 302)
            #expect(r.header("Location") == "/hub/user/alice/lab?x=1&y=2")
            let root = try await h.request(.get, "/")
            #expect(root.status == 302)
            #expect(root.header("Location") == "/hub/")
            let bare = try await h.request(.get, "/hub")
            #expect(bare.status == 301)
            #expect(bare.header("Location") == "/hub/")
        }
    }

    @Test("a base URL prefixes the hub: /prefix/hub/api works, /prefix/x redirects under /prefix/hub/")
    func baseURL() async throws {
        try await withHub(yaml: "JupyterHub:\n  bind_url: http://127.0.0.1:8000/prefix/\n") { h in
            let r = try await h.request(.get, "/prefix/hub/api")
            #expect(r.status == 200)
            let redirect = try await h.request(.get, "/prefix/user/a")
            #expect(redirect.header("Location") == "/prefix/hub/user/a")
        }
    }

    @Test("unknown API paths are JSON 404 with a null message; wrong methods are JSON 405 with Allow")
    func notFoundAndMethod() async throws {
        try await withHub { h in
            let missing = try await h.request(.get, "/hub/api/no/such/thing")
            #expect(missing.status == 404)
            #expect(missing.header("Content-Type") == "application/json")
            #expect(missing.json == .object(["status": .int(404), "message": .null]))
            let wrong = try await h.request(.delete, "/hub/api/info")
            #expect(wrong.status == 405)
            #expect(wrong.json?["status"] == .int(405))
            #expect(wrong.header("Allow")?.contains("GET") == true)
        }
    }

    @Test("OPTIONS on any API path is 200 with an empty body, even unknown paths")
    func options() async throws {
        try await withHub { h in
            for path in ["/hub/api/users", "/hub/api/anything/at/all", "/hub/api/"] {
                let r = try await h.request(.options, path)
                #expect(r.status == 200)
                #expect(r.body.isEmpty)
            }
        }
    }

    @Test("health answers 200 to GET and HEAD at /hub/health and /hub/api/health")
    func health() async throws {
        try await withHub { h in
            for path in ["/hub/health", "/hub/api/health"] {
                let get = try await h.request(.get, path)
                let head = try await h.request(.head, path)
                #expect(get.status == 200)
                #expect(head.status == 200)
            }
        }
    }

    @Test("access log lines scrub secret-looking query values and keep the rest")
    func logScrubbing() {
        #expect(AccessLog.scrub("/hub/api/users?token=abc&offset=2") == "/hub/api/users?token=[secret]&offset=2")
        #expect(AccessLog.scrub("/hub/oauth_callback?code=x&state=y&_xsrf=z&next=/a")
                == "/hub/oauth_callback?code=[secret]&state=[secret]&_xsrf=[secret]&next=/a")
        #expect(AccessLog.scrub("/x?api_key=1&Authorization=2") == "/x?api_key=[secret]&Authorization=[secret]")
        #expect(AccessLog.scrub("/hub/api") == "/hub/api")
        #expect(AccessLog.formatMilliseconds(1.2) == "1.20")
        #expect(AccessLog.formatMilliseconds(12.345) == "12.35")
    }

    @Test("access lines: JupyterHub's shape, redirect targets for 301/302, levels by status, quiet health at debug")
    func accessLines() {
        let sink = LineSink()
        var logger = Logger(label: "test") { _ in LineSink.Handler(sink: sink) }
        logger.logLevel = .info
        func log(_ status: Int, _ target: String, user: String? = "bench", location: String? = nil, quiet: Bool = false) {
            AccessLog.log(logger, status: status, method: "GET", target: target, user: user, ip: "10.0.0.7",
                          elapsed: .microseconds(1234), location: location, quiet: quiet)
        }
        log(200, "/hub/api/user?token=t")
        log(302, "/hub/x", user: nil, location: "/hub/login?next=%2Fhub%2Fx&code=c")
        log(404, "/hub/api/nope")
        log(503, "/hub/api/users/a/server")
        log(200, "/hub/health", quiet: true)
        #expect(sink.lines == [
            "info 200 GET /hub/api/user?token=[secret] (bench@10.0.0.7) 1.23ms",
            "info 302 GET /hub/x -> /hub/login?next=%2Fhub%2Fx&code=[secret] (@10.0.0.7) 1.23ms",
            "warning 404 GET /hub/api/nope (bench@10.0.0.7) 1.23ms",
            "error 503 GET /hub/api/users/a/server (bench@10.0.0.7) 1.23ms",
        ])
        logger.logLevel = .debug
        log(200, "/hub/health", quiet: true)
        #expect(sink.lines.last == "debug 200 GET /hub/health (bench@10.0.0.7) 1.23ms")
    }

    @Test("errors map in one place: store not-found 404, exists 409, body too large 413, anything else 500 generic")
    func errorMapping() {
        let logger = Logger(label: "test")
        func map(_ e: any Error) -> HubError { ErrorResponses.hubError(for: e, logger: logger, context: "test") }
        #expect(map(StoreError.notFound(.user, "bob")).status == .notFound)
        #expect(map(StoreError.alreadyExists(.group, "g")).status == .conflict)
        #expect(map(JSONParseError(reason: "x", offset: 1)).status == .badRequest)
        let generic = map(CocoaLikeError())
        #expect(generic.status == .internalServerError)
        #expect(generic.message == "Unhandled error")
        let retry = ErrorResponses.json(HubError(.tooManyRequests, "slow down", headers: [.retryAfter: "30"]))
        #expect(retry.headers[.retryAfter] == "30")
    }

    struct CocoaLikeError: Error {}

    @Test("a body over the cap is 413 with the JSON error shape")
    func bodyTooLarge() async throws {
        try await withHub { h in
            try await h.createUser("root", admin: true)
            let t = try await h.token(for: "root")
            let r = try await h.request(.post, "/hub/api/shutdown", token: t, body: Array(repeating: 0x20, count: (1 << 20) + 1))
            #expect(r.status == 413)
            #expect(r.json?["status"] == .int(413))
        }
    }
}

import HTTP
import Logging
import Store

@Suite("Pipeline seams: pages and request observers")
struct CoreSeamTests {
    struct Pages: HubPages {
        func respond(to request: HTTPServerRequest, hub: Hub) async throws -> PageResponse {
            if request.head.path == "/hub/fail" { throw HubError(.forbidden, "nope <b>") }
            return PageResponse(HTTPServerResponse(status: .ok, headers: [.contentType: "text/html"], body: .bytes(Array("home".utf8))),
                                user: "alice", handlerName: "jupyterhub.handlers.pages.HomeHandler")
        }
    }

    final class Observer: RequestObserver, @unchecked Sendable {
        let lock = NSLock()
        var seen: [(String, String, Int)] = []
        func observe(method: String, handlerName: String, status: Int, duration: Duration) {
            lock.lock(); seen.append((method, handlerName, status)); lock.unlock()
        }
    }

    @Test("installed pages answer /hub/ paths with hub headers; thrown errors become escaped HTML; observers see handler names")
    func seams() async throws {
        try await withHub { h in
            let observer = Observer()
            h.hub.setPages(Pages())
            h.hub.addRequestObserver(observer)
            let home = try await h.request(.get, "/hub/home")
            #expect(home.status == 200)
            #expect(home.text == "home")
            #expect(home.header("X-JupyterHub-Version") == "6.1.1")
            let fail = try await h.request(.get, "/hub/fail")
            #expect(fail.status == 403)
            #expect(fail.text.contains("nope &lt;b&gt;"))
            _ = try await h.request(.get, "/hub/api/nothing")
            _ = try await h.request(.options, "/hub/api/info")
            let names = observer.seen.map(\.1)
            #expect(names == ["jupyterhub.handlers.pages.HomeHandler", "jupyterhub.handlers.base.Template404",
                              "jupyterhub.apihandlers.base.API404", "jupyterhub.apihandlers.hub.InfoAPIHandler"])
        }
    }
}

import Foundation

/// Collects log lines as `level message`.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func add(_ line: String) { lock.withLock { stored.append(line) } }

    struct Handler: LogHandler {
        let sink: LineSink
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { sink.add("\(event.level) \(event.message)") }
    }
}
