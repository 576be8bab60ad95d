import Testing
import HTTP
import HTTPTypes
import Logging
@testable import Proxy

/// Calls the API handler in-process and returns status and body text.
private struct APIHarness {
    let table = RouteTable()
    let metrics = ProxyMetrics()
    let api: ProxyAPI

    init(token: String? = "secret", hostRouting: Bool = false) {
        api = ProxyAPI(table: table, authToken: token, hostRouting: hostRouting, metrics: metrics,
                       logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func call(_ method: HTTPRequest.Method, _ target: String, body: String? = nil,
              auth: String? = "token secret") async throws -> (Int, String) {
        var headers = HTTPFields()
        if let auth { headers[.authorization] = auth }
        let head = RequestHead(method: method, target: target, headers: headers,
                               framing: body.map { .contentLength($0.utf8.count) } ?? .none)
        let request = HTTPServerRequest(head: head, body: .bytes(Array((body ?? "").utf8)))
        let response = try await api.handle(request)
        guard case .bytes(let bytes) = response.body else {
            if case .empty = response.body { return (response.status.code, "") }
            Issue.record("unexpected body kind")
            return (response.status.code, "")
        }
        return (response.status.code, String(decoding: bytes, as: UTF8.self))
    }
}

@Suite("CHP REST API")
struct ProxyAPITests {
    @Test("missing, wrong and Bearer tokens get 403 with an empty body, before the body is read")
    func authentication() async throws {
        let h = APIHarness()
        #expect(try await h.call(.get, "/api/routes", auth: nil) == (403, ""))
        #expect(try await h.call(.get, "/api/routes", auth: "token wrong") == (403, ""))
        #expect(try await h.call(.get, "/api/routes", auth: "Bearer secret") == (403, ""))
        #expect(try await h.call(.get, "/api/routes", auth: "token secretx") == (403, ""))
        #expect(try await h.call(.post, "/api/routes/x", body: "not json", auth: nil) == (403, ""))
        #expect(try await h.call(.get, "/api/routes", auth: "token   secret").0 == 200)
    }

    @Test("with no token configured the API is open")
    func openAPI() async throws {
        let h = APIHarness(token: nil)
        #expect(try await h.call(.get, "/api/routes", auth: nil).0 == 200)
    }

    @Test("unknown paths are 404 Not Found, other methods 405 Method not supported")
    func pathsAndMethods() async throws {
        let h = APIHarness()
        #expect(try await h.call(.get, "/api/other") == (404, "Not Found"))
        #expect(try await h.call(.get, "/api/routesx") == (404, "Not Found"))
        #expect(try await h.call(.put, "/api/routes/x") == (405, "Method not supported"))
        #expect(try await h.call(.patch, "/api/routes") == (405, "Method not supported"))
    }

    @Test("POST stores target and extra fields verbatim, adds last_activity, answers 201")
    func postAndGet() async throws {
        let h = APIHarness()
        #expect(try await h.call(.post, "/api/routes/user/alice", body: #"{"target":"http://10.0.0.1:8888","jupyterhub":true,"user":"alice","server_name":""}"#) == (201, ""))
        let (status, body) = try await h.call(.get, "/api/routes/user/alice")
        #expect(status == 200)
        let value = try JSONParser.parse(Array(body.utf8))
        #expect(value["target"] == .string("http://10.0.0.1:8888"))
        #expect(value["jupyterhub"] == .bool(true))
        #expect(value["server_name"] == .string(""))
        let stamp = try #require(value["last_activity"]?.stringValue)
        #expect(DateParsing.parse(stamp) != nil && stamp.hasSuffix("Z") && stamp.count == 24)
        #expect(body.hasPrefix(#"{"target":"http://10.0.0.1:8888","jupyterhub":true,"user":"alice","server_name":"","last_activity":"#))
    }

    @Test("keys are decoded and normalised: /user/A%20b/ is listed as /user/A b; %40 is @")
    func keyDecoding() async throws {
        let h = APIHarness()
        #expect(try await h.call(.post, "/api/routes/user/A%20b/", body: #"{"target":"http://a"}"#).0 == 201)
        #expect(try await h.call(.post, "/api/routes/user/foo%40bar", body: #"{"target":"http://b"}"#).0 == 201)
        let (_, list) = try await h.call(.get, "/api/routes")
        let value = try JSONParser.parse(Array(list.utf8))
        #expect(value["/user/A b"]?["target"] == .string("http://a"))
        #expect(value["/user/foo@bar"]?["target"] == .string("http://b"))
        #expect(try await h.call(.get, "/api/routes/user/foo@bar").0 == 200)
        #expect(try await h.call(.get, "/api/routes/user/%").0 == 400)
    }

    @Test("POST /api/routes is the root route; GET /api/routes and /api/routes/ list everything")
    func rootAndListing() async throws {
        let h = APIHarness()
        #expect(try await h.call(.post, "/api/routes", body: #"{"target":"http://hub:8081","hub":true}"#).0 == 201)
        #expect(try await h.call(.post, "/api/routes/user/x", body: #"{"target":"http://x"}"#).0 == 201)
        for path in ["/api/routes", "/api/routes/"] {
            let (status, body) = try await h.call(.get, path)
            #expect(status == 200)
            guard case .object(let members) = try JSONParser.parse(Array(body.utf8)) else { Issue.record("not an object"); return }
            #expect(members.map(\.0) == ["/", "/user/x"])
        }
        #expect(h.metrics.apiRouteGet.value == 2)
    }

    @Test("POST validation: invalid JSON, missing or non-string target")
    func postValidation() async throws {
        let h = APIHarness()
        let (status, body) = try await h.call(.post, "/api/routes/x", body: "{nope")
        #expect(status == 400 && body.hasPrefix("Body not valid JSON: "))
        #expect(try await h.call(.post, "/api/routes/x", body: "").0 == 400)
        #expect(try await h.call(.post, "/api/routes/x", body: "{}") == (400, "Must specify 'target' as string"))
        #expect(try await h.call(.post, "/api/routes/x", body: #"{"target":5}"#) == (400, "Must specify 'target' as string"))
        #expect(try await h.call(.post, "/api/routes/x", body: "null") == (400, "Must specify 'target' as string"))
        #expect(try await h.call(.post, "/api/routes/x", body: #"["target"]"#) == (400, "Must specify 'target' as string"))
        #expect(h.table.count == 0)
    }

    @Test("DELETE answers 204, then 404 once gone; DELETE /api/routes is 404")
    func deletion() async throws {
        let h = APIHarness()
        _ = try await h.call(.post, "/api/routes/user/x", body: #"{"target":"http://x"}"#)
        #expect(try await h.call(.delete, "/api/routes/user/x/") == (204, ""))
        #expect(try await h.call(.delete, "/api/routes/user/x") == (404, ""))
        #expect(try await h.call(.get, "/api/routes/user/x") == (404, ""))
        #expect(try await h.call(.delete, "/api/routes") == (404, ""))
    }

    @Test("inactive_since and inactiveSince filter strictly; bad dates are 400")
    func inactiveFilter() async throws {
        let h = APIHarness()
        h.table.add(key: "/day-old", data: [("target", .string("http://a"))], now: Timestamp(milliseconds: Timestamp.now().milliseconds - 86_400_000))
        h.table.add(key: "/fresh", data: [("target", .string("http://b"))])
        func keys(_ query: String) async throws -> [String] {
            let (status, body) = try await h.call(.get, "/api/routes?\(query)")
            #expect(status == 200)
            guard case .object(let members) = try JSONParser.parse(Array(body.utf8)) else { return [] }
            return members.map(\.0)
        }
        let hourAgo = Timestamp(milliseconds: Timestamp.now().milliseconds - 3_600_000).description
        #expect(try await keys("inactive_since=1970-01-01T00:00:00.000Z").isEmpty)
        #expect(try await keys("inactive_since=\(hourAgo)") == ["/day-old"])
        #expect(try await keys("inactiveSince=2999-01-01") == ["/day-old", "/fresh"])
        #expect(try await keys("inactive_since=2999-01-01T00:00:00%2B01:00") == ["/day-old", "/fresh"])
        #expect(try await h.call(.get, "/api/routes?inactiveSince=endoftheuniverse")
                == (400, "Invalid datestamp 'endoftheuniverse' must be ISO8601."))
        #expect(try await keys("inactive_since=") == ["/day-old", "/fresh"])
    }

    @Test("with host routing the key's first segment is stored as host")
    func hostField() async throws {
        let h = APIHarness(hostRouting: true)
        _ = try await h.call(.post, "/api/routes/example.com/user/a", body: #"{"target":"http://x"}"#)
        let (_, body) = try await h.call(.get, "/api/routes/example.com/user/a")
        #expect(try JSONParser.parse(Array(body.utf8))["host"] == .string("example.com"))
    }

    @Test("every answer is counted by status")
    func apiMetrics() async throws {
        let h = APIHarness()
        _ = try await h.call(.get, "/api/routes", auth: nil)
        _ = try await h.call(.post, "/api/routes/a", body: #"{"target":"http://x"}"#)
        let text = h.metrics.render(routes: h.table.count)
        #expect(text.contains("requests_api{status=\"403\"} 1"))
        #expect(text.contains("requests_api{status=\"201\"} 1"))
        #expect(text.contains("api_route_add 1"))
        #expect(text.contains("routes 1"))
        #expect(text.contains("process_resident_memory_bytes "))
    }
}
