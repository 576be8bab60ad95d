import Foundation
import Testing

/// REST API helpers against a running proxy.
extension ProxyProcess {
    var auth: [(String, String)] { [("Authorization", "token \(token)")] }

    func addRoute(_ path: String, _ json: String) throws {
        let response = try rawRequest(port: apiPort, "POST", "/api/routes\(path)", headers: auth, body: json)
        guard response.status == 201 else { throw E2EError("POST \(path) → \(response.status) \(response.text)") }
    }

    func routes(_ query: String = "") throws -> [String: [String: Any]] {
        let response = try rawRequest(port: apiPort, "GET", "/api/routes\(query)", headers: auth)
        guard response.status == 200 else { throw E2EError("GET routes → \(response.status) \(response.text)") }
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: [String: Any]] ?? [:]
    }

    func lastActivity(_ key: String) throws -> String? {
        try routes()[key]?["last_activity"] as? String
    }
}

@Suite("pawshub proxy: REST API over sockets", .serialized)
struct ProxyAPIEndToEndTests {
    @Test("403 without, with a wrong, or with a Bearer token; 200 with the right one")
    func authentication() throws {
        let proxy = try ProxyProcess()
        #expect(try rawRequest(port: proxy.apiPort, "GET", "/api/routes").status == 403)
        #expect(try rawRequest(port: proxy.apiPort, "GET", "/api/routes", headers: [("Authorization", "token nope")]).status == 403)
        #expect(try rawRequest(port: proxy.apiPort, "GET", "/api/routes", headers: [("Authorization", "Bearer e2e-secret")]).status == 403)
        let ok = try rawRequest(port: proxy.apiPort, "GET", "/api/routes", headers: proxy.auth)
        #expect(ok.status == 200 && ok.header("Content-Type") == "application/json")
    }

    @Test("JupyterHub's pattern: add routes, list, get one, delete, delete again")
    func lifecycle() throws {
        let proxy = try ProxyProcess(["--default-target", "http://127.0.0.1:9"])
        try proxy.addRoute("/user/alice", #"{"target":"http://127.0.0.1:1234","jupyterhub":true,"user":"alice","server_name":""}"#)
        try proxy.addRoute("/user/A%20b/", #"{"target":"http://127.0.0.1:1235","jupyterhub":true}"#)
        let all = try proxy.routes()
        #expect(Set(all.keys) == ["/", "/user/alice", "/user/A b"])
        #expect(all["/user/alice"]?["user"] as? String == "alice")
        #expect(all["/user/alice"]?["jupyterhub"] as? Bool == true)
        let stamp = try #require(all["/user/alice"]?["last_activity"] as? String)
        #expect(stamp.hasSuffix("Z") && stamp.count == 24)
        let one = try rawRequest(port: proxy.apiPort, "GET", "/api/routes/user/alice", headers: proxy.auth)
        #expect(one.status == 200 && one.text.contains(#""target":"http://127.0.0.1:1234""#))
        #expect(try rawRequest(port: proxy.apiPort, "DELETE", "/api/routes/user/alice", headers: proxy.auth).status == 204)
        #expect(try rawRequest(port: proxy.apiPort, "DELETE", "/api/routes/user/alice", headers: proxy.auth).status == 404)
        #expect(try rawRequest(port: proxy.apiPort, "GET", "/api/routes/user/alice", headers: proxy.auth).status == 404)
        #expect(try rawRequest(port: proxy.apiPort, "DELETE", "/api/routes", headers: proxy.auth).status == 404)
        #expect(try rawRequest(port: proxy.apiPort, "PUT", "/api/routes/x", headers: proxy.auth).status == 405)
        #expect(try rawRequest(port: proxy.apiPort, "GET", "/api/nope", headers: proxy.auth).status == 404)
        let bad = try rawRequest(port: proxy.apiPort, "POST", "/api/routes/x", headers: proxy.auth, body: "{")
        #expect(bad.status == 400 && bad.text.hasPrefix("Body not valid JSON"))
        let noTarget = try rawRequest(port: proxy.apiPort, "POST", "/api/routes/x", headers: proxy.auth, body: "{}")
        #expect(noTarget.status == 400 && noTarget.text == "Must specify 'target' as string")
    }

    @Test("inactive_since filters strictly by last_activity; a bad date is 400")
    func inactiveSince() throws {
        let proxy = try ProxyProcess()
        try proxy.addRoute("/user/a", #"{"target":"http://127.0.0.1:1"}"#)
        #expect(try proxy.routes("?inactive_since=1970-01-01").isEmpty)
        #expect(try proxy.routes("?inactive_since=2999-01-01T00:00:00Z").keys.sorted() == ["/user/a"])
        #expect(try proxy.routes("?inactiveSince=2999-01-01").keys.sorted() == ["/user/a"])
        let bad = try rawRequest(port: proxy.apiPort, "GET", "/api/routes?inactive_since=endoftheuniverse", headers: proxy.auth)
        #expect(bad.status == 400 && bad.text == "Invalid datestamp 'endoftheuniverse' must be ISO8601.")
    }

    @Test("without CONFIGPROXY_AUTH_TOKEN the API is open and a warning is logged")
    func unauthenticated() throws {
        let proxy = try ProxyProcess(token: nil)
        #expect(try rawRequest(port: proxy.apiPort, "GET", "/api/routes").status == 200)
        #expect(proxy.lines.contains { $0.contains("REST API is not authenticated") })
    }

    @Test("log lines look like CHP's and API calls are logged without query strings")
    func logFormat() throws {
        let proxy = try ProxyProcess()
        _ = try proxy.routes("?inactive_since=2999-01-01&secret=hunter2")
        let line = try proxy.waitForLine("200 GET /api/routes")
        #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[ConfigProxy\] info: "#, options: .regularExpression) != nil)
        #expect(!proxy.lines.contains { $0.contains("hunter2") || $0.contains("e2e-secret") })
    }
}
