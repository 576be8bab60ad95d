import Foundation
import HTTP
import Testing

@Suite("pawshub proxy: HTTPS on the public port")
struct ProxyTLSTests {
    @Test("--ssl-key/--ssl-cert serve HTTPS and proxy to a plain-HTTP upstream with X-Forwarded-Proto https")
    func https() async throws {
        let dir = NSTemporaryDirectory() + "pawshub-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)

        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url, "--ssl-key", dir + "/key.pem", "--ssl-cert", dir + "/cert.pem"])
        let group = try EventLoopGroup(threads: 1)
        var configuration = HTTPClientConfiguration()
        configuration.tlsVerify = false
        let client = HTTPClient(group: group, configuration: configuration)
        let (head, body) = try await client.get("https://127.0.0.1:\(proxy.publicPort)/tls/check")
        #expect(head.status.code == 200)
        let seen = try JSONDecoder().decode(SeenRequest.self, from: Data(body))
        #expect(seen.target == "/tls/check")
        #expect(seen.header("X-Forwarded-Proto") == "https")
        #expect(seen.header("X-Forwarded-Port") == String(proxy.publicPort))
        await client.shutdown()
        group.shutdown()
        await backend.stop()
    }
}
