import Foundation
import Testing
import HTTPTypes
@testable import HTTP

@Suite("Server and client over TLS")
struct ServerTLSTests {
    @Test("an HTTPS listener with a self-signed certificate serves the client (verification off)")
    func httpsWithClient() async throws {
        let certificate = try await offPool { try SelfSignedCertificate() }
        defer { certificate.remove() }
        try await withServer({
            $0.tls = TLSConfiguration(certificatePath: certificate.certificatePath, privateKeyPath: certificate.keyPath)
        }, handler: { request in reply("secure=\(request.isTLS) \(request.head.target)") }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            var configuration = HTTPClientConfiguration()
            configuration.tlsVerify = false
            let client = HTTPClient(group: group, configuration: configuration)
            let (head, body) = try await client.get("https://127.0.0.1:\(port)/a")
            #expect(head.status == .ok && String(decoding: body, as: UTF8.self) == "secure=true /a")
            // Keep-alive over TLS: the pooled session carries the next request.
            let (_, big) = try await client.request(method: .post, url: "https://127.0.0.1:\(port)/b",
                                                    body: [UInt8](repeating: 1, count: 200_000))
            #expect(String(decoding: big, as: UTF8.self) == "secure=true /b")
            #expect(await client.idleConnectionCount() == 1)
        }
    }

    @Test("curl -k talks to the HTTPS listener")
    func httpsWithCurl() async throws {
        let certificate = try await offPool { try SelfSignedCertificate() }
        defer { certificate.remove() }
        try await withServer({
            $0.tls = TLSConfiguration(certificatePath: certificate.certificatePath, privateKeyPath: certificate.keyPath)
        }, handler: { _ in reply("hello over tls") }) { _, port in
            let output = try await offPool { () throws -> String in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                process.arguments = ["-sk", "--max-time", "5", "https://127.0.0.1:\(port)/"]
                let pipe = Pipe()
                process.standardOutput = pipe
                try process.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: data, as: UTF8.self)
            }
            #expect(output == "hello over tls")
        }
    }

    @Test("a verifying client refuses a self-signed upstream with a TLS error")
    func verificationFails() async throws {
        let certificate = try await offPool { try SelfSignedCertificate() }
        defer { certificate.remove() }
        try await withServer({
            $0.tls = TLSConfiguration(certificatePath: certificate.certificatePath, privateKeyPath: certificate.keyPath)
        }, handler: { _ in reply("never") }) { _, port in
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            let client = HTTPClient(group: group)
            do {
                _ = try await client.get("https://localhost:\(port)/")
                Issue.record("expected a TLS failure")
            } catch let error as HTTPClientError {
                guard case .tls(let message) = error else { Issue.record("got \(error)"); return }
                #expect(message.contains("certificate"))
            }
        }
    }

    @Test("plain HTTP sent to the TLS port is dropped without harming the listener")
    func plainToTLS() async throws {
        let certificate = try await offPool { try SelfSignedCertificate() }
        defer { certificate.remove() }
        try await withServer({
            $0.tls = TLSConfiguration(certificatePath: certificate.certificatePath, privateKeyPath: certificate.keyPath)
        }, handler: { _ in reply("ok") }) { _, port in
            let raw = try RawClient(port: port)
            try await raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await raw.isClosedByPeer())
            let group = try EventLoopGroup(threads: 1)
            defer { group.shutdown() }
            var configuration = HTTPClientConfiguration()
            configuration.tlsVerify = false
            #expect(try await HTTPClient(group: group, configuration: configuration).get("https://127.0.0.1:\(port)/").1
                    == Array("ok".utf8))
        }
    }

    @Test("missing certificate files fail start() with a TLS error")
    func missingFiles() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.tls = TLSConfiguration(certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")
        let server = HTTPServer(configuration: configuration, group: group, handler: HandlerFunction { _ in reply("x") })
        #expect(throws: TLSError.self) { try server.start() }
    }
}
