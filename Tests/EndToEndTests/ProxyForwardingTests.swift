import Foundation
import Testing

private func seen(_ response: RawResponse) throws -> SeenRequest {
    try JSONDecoder().decode(SeenRequest.self, from: Data(response.body))
}

@Suite("pawshub proxy: forwarding over sockets")
struct ProxyForwardingTests {
    @Test("GET is forwarded with the target path prepended, the query kept, X-Forwarded added, keep-alive answered")
    func basicGet() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess()
        try proxy.addRoute("/bar", #"{"target":"\#(backend.url)/foo"}"#)
        let connection = try RawConnection(port: proxy.publicPort)
        let response = try connection.request("GET", "/bar/rest?q=1&token=x", headers: [("Host", "proxy.example:8000"), ("X-Forwarded-For", "9.9.9.9")])
        #expect(response.status == 200)
        // CHP also writes `Connection: keep-alive`; the engine leaves it implicit on HTTP/1.1.
        #expect(response.header("Connection") == nil || response.header("Connection")?.lowercased() == "keep-alive")
        #expect(response.header("Keep-Alive") == "timeout=5")
        let s = try seen(response)
        #expect(s.target == "/foo/bar/rest?q=1&token=x")
        #expect(s.header("Host") == "proxy.example:8000")
        #expect(s.header("X-Forwarded-For") == "9.9.9.9,127.0.0.1")
        #expect(s.header("X-Forwarded-Port") == "8000")
        #expect(s.header("X-Forwarded-Proto") == "http")
        #expect(s.header("X-Forwarded-Host") == "proxy.example:8000")
        // The same connection carries a second request (client keep-alive).
        let again = try connection.request("GET", "/bar/again")
        #expect(try seen(again).target == "/foo/bar/again")
        #expect(!proxy.lines.contains { $0.contains("token=x") })
        #expect(proxy.lines.contains { $0.contains("200 GET /bar/rest ") })
        await backend.stop()
    }

    @Test("POST bodies pass with Content-Length and chunked framing")
    func postBodies() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url])
        let fixed = try rawRequest(port: proxy.publicPort, "POST", "/upload", body: "hello world")
        #expect(try seen(fixed).bodyBytes == 11)
        let connection = try RawConnection(port: proxy.publicPort)
        try connection.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let chunked = try connection.readResponse()
        let s = try seen(chunked)
        #expect(s.bodyBytes == 11 && s.method == "POST")
        await backend.stop()
    }

    @Test("escaped prefixes match decoded routes and are forwarded still encoded; --no-include-prefix strips them")
    func escapedPrefix() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--no-include-prefix"])
        try proxy.addRoute("/b%40r/b%20r", #"{"target":"\#(backend.url)/t"}"#)
        let response = try rawRequest(port: proxy.publicPort, "GET", "/b%40r/b%20r/rest%20x?y=%41")
        #expect(try seen(response).target == "/t/rest%20x?y=%41")
        await backend.stop()
    }

    @Test("--no-x-forward, --no-prepend-path and --custom-header")
    func switches() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--no-x-forward", "--no-prepend-path", "--custom-header", "X-Origin: pawshub"])
        try proxy.addRoute("/bar", #"{"target":"\#(backend.url)/foo"}"#)
        let s = try seen(try rawRequest(port: proxy.publicPort, "GET", "/bar/x", headers: [("X-Origin", "client")]))
        #expect(s.target == "/bar/x")
        #expect(s.header("X-Forwarded-For") == nil)
        #expect(s.headers("X-Origin") == ["pawshub"])
        await backend.stop()
    }

    @Test("no route → 404 page, dead target → 503 page, bad escape → 500; healthz answers")
    func builtInErrors() throws {
        let proxy = try ProxyProcess()
        let missing = try rawRequest(port: proxy.publicPort, "GET", "/nothing")
        #expect(missing.status == 404 && missing.text.contains("404:"))
        try proxy.addRoute("/dead", #"{"target":"http://127.0.0.1:9"}"#)
        let dead = try rawRequest(port: proxy.publicPort, "GET", "/dead/x")
        #expect(dead.status == 503 && dead.text.contains("503:"))
        try proxy.addRoute("/", #"{"target":"http://127.0.0.1:9"}"#)
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/%").status == 500)
        let health = try rawRequest(port: proxy.publicPort, "GET", "/_chp_healthz")
        #expect(health.status == 200 && health.text == #"{"status":"OK"}"#)
        #expect(try proxy.lastActivity("/dead") != nil)
    }

    @Test("--error-target serves its body with the proxy's status and the original URL")
    func errorTarget() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--error-target", "\(backend.url)/hub/error"])
        let response = try rawRequest(port: proxy.publicPort, "GET", "/user/x/?a=b")
        #expect(response.status == 404)
        #expect(response.header("Content-Type") == "application/json")
        let s = try seen(response)
        #expect(s.target == "/hub/error/404?url=%2Fuser%2Fx%2F%3Fa%3Db")
        let fallback = try ProxyProcess(["--error-target", "http://127.0.0.1:9/hub/error"])
        let plain = try rawRequest(port: fallback.publicPort, "GET", "/x")
        #expect(plain.status == 404 && plain.text == "Not Found")
        await backend.stop()
    }

    @Test("--error-path serves <code>.html, else error.html")
    func errorPath() throws {
        let dir = NSTemporaryDirectory() + "pawshub-errors-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "custom 404".write(toFile: dir + "/404.html", atomically: true, encoding: .utf8)
        try "generic".write(toFile: dir + "/error.html", atomically: true, encoding: .utf8)
        let proxy = try ProxyProcess(["--error-path", dir])
        let missing = try rawRequest(port: proxy.publicPort, "GET", "/nothing")
        #expect(missing.status == 404 && missing.text == "custom 404" && missing.header("Content-Type") == "text/html")
        try proxy.addRoute("/dead", #"{"target":"http://127.0.0.1:9"}"#)
        let dead = try rawRequest(port: proxy.publicPort, "GET", "/dead")
        #expect(dead.status == 503 && dead.text == "generic")
    }

    @Test("--proxy-timeout bounds the wait for the upstream's head → 503")
    func proxyTimeout() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url, "--proxy-timeout", "300"])
        let started = Date()
        let response = try rawRequest(port: proxy.publicPort, "GET", "/slow/3000")
        #expect(response.status == 503)
        #expect(Date().timeIntervalSince(started) < 2.5)
        await backend.stop()
    }

    @Test("last_activity moves on 2xx responses only, and not on errors")
    func activity() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess()
        try proxy.addRoute("/user/a", #"{"target":"\#(backend.url)"}"#)
        let added = try #require(try proxy.lastActivity("/user/a"))
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/user/a/status/404").status == 404)
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/user/a/status/301").status == 301)
        #expect(try proxy.lastActivity("/user/a") == added)
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/user/a/ok").status == 200)
        let after = try #require(try proxy.lastActivity("/user/a"))
        #expect(after > added)
        await backend.stop()
    }

    @Test("--keep-alive-timeout closes idle client connections and is announced in Keep-Alive")
    func keepAliveTimeout() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url, "--keep-alive-timeout", "1000"])
        let connection = try RawConnection(port: proxy.publicPort)
        let response = try connection.request("GET", "/x")
        #expect(response.status == 200 && response.header("Keep-Alive") == "timeout=1")
        let started = Date()
        #expect(connection.readsEndOfStream())
        let idle = Date().timeIntervalSince(started)
        #expect(idle > 0.5 && idle < 5, "closed after \(idle) s")
        await backend.stop()
    }

    @Test("301 Location is passed through untouched")
    func redirects() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url])
        let response = try rawRequest(port: proxy.publicPort, "GET", "/status/301")
        #expect(response.status == 301 && response.header("Location") == "/elsewhere?x=1")
        await backend.stop()
    }

    @Test("a 64 MB upload and a 64 MB download stream through with flat proxy memory")
    func largeBodies() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url], metrics: true)
        let size = 64 << 20
        let connection = try RawConnection(port: proxy.publicPort)
        try connection.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
        let block = [UInt8](repeating: 0x62, count: 1 << 20)
        for _ in 0..<(size >> 20) { try connection.send(block) }
        let upload = try seen(try connection.readResponse())
        #expect(upload.bodyBytes == size)
        #expect(upload.bodySum == UInt64(size) * 0x62)
        let download = try connection.request("GET", "/big/\(size)")
        #expect(download.body.count == size)
        let metrics = try rawRequest(port: try #require(proxy.metricsPort), "GET", "/metrics").text
        let rss = metrics.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") }
            .flatMap { Double($0.split(separator: " ")[1]) } ?? .infinity
        #expect(rss < 48 * 1024 * 1024, "proxy RSS \(rss) after 128 MB through it")
        await backend.stop()
    }

    @Test("host routing uses the Host header as the first key segment")
    func hostRouting() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--host-routing"])
        try proxy.addRoute("/hub.example/user", #"{"target":"\#(backend.url)"}"#)
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/user/x", headers: [("Host", "hub.example:8000")]).status == 200)
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/user/x", headers: [("Host", "other.example")]).status == 404)
        #expect(try proxy.routes()["/hub.example/user"]?["host"] as? String == "hub.example")
        await backend.stop()
    }

    @Test("http+unix:// and unix+http:// targets reach a backend on a Unix socket")
    func unixSocketTargets() async throws {
        let path = NSTemporaryDirectory() + "pawshub-\(UUID().uuidString.prefix(8)).sock"
        let backend = try Backend(unixSocketPath: path)
        let proxy = try ProxyProcess()
        let encoded = path.replacingOccurrences(of: "/", with: "%2F")
        try proxy.addRoute("/a", #"{"target":"http+unix://\#(encoded)"}"#)
        try proxy.addRoute("/b", #"{"target":"unix+http://\#(encoded)/base"}"#)
        #expect(try seen(try rawRequest(port: proxy.publicPort, "GET", "/a/x")).target == "/a/x")
        #expect(try seen(try rawRequest(port: proxy.publicPort, "GET", "/b/y")).target == "/base/b/y")
        await backend.stop()
    }

    @Test("metrics use CHP's names")
    func metrics() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url], metrics: true)
        _ = try rawRequest(port: proxy.publicPort, "GET", "/x")
        _ = try proxy.routes()
        let text = try rawRequest(port: try #require(proxy.metricsPort), "GET", "/metrics").text
        for name in ["requests_web 1", "requests_proxy{status=\"200\"} 1", "requests_api{status=\"200\"} 1",
                     "api_route_get 1", "routes 1", "# TYPE find_target_for_req summary", "process_resident_memory_bytes"] {
            #expect(text.contains(name), "missing \(name)")
        }
        await backend.stop()
    }
}
