import Foundation
import Testing

/// Runs `pawshub proxy <args>` expecting it to exit by itself; returns status and stderr.
private func runToExit(_ arguments: [String], timeout: Double = 20) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = ProxyProcess.binary
    process.arguments = ["proxy"] + arguments
    let pipe = Pipe()
    process.standardError = pipe
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { usleep(20_000) }
    if process.isRunning { process.terminate(); throw E2EError("pawshub proxy \(arguments) did not exit") }
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, text)
}

@Suite("pawshub proxy: command line")
struct ProxyCommandLineTests {
    @Test("bad flags end with one clear line and exit status 2", arguments: [
        ["--error-target", "http://127.0.0.1:1/hub/error", "--error-path", "/tmp"],
        ["--port", "eighty"],
        ["--custom-header", "invalid"],
        ["--log-level", "chatty"],
        ["--no-such-flag"],
    ])
    func badFlags(_ arguments: [String]) throws {
        let (status, stderr) = try runToExit(arguments)
        #expect(status == 2)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(stderr)")
    }

    @Test("the --custom-header error names CHP's reason")
    func customHeaderMessage() throws {
        let (_, stderr) = try runToExit(["--custom-header", "invalid"])
        #expect(stderr.contains("A colon was expected in custom header: invalid"))
    }

    @Test("both --ip=VALUE and --ip VALUE spellings work, --ip= is all interfaces; the pid file is written and removed")
    func flagSpellingsAndPidFile() throws {
        let pidFile = NSTemporaryDirectory() + "pawshub-proxy-\(UUID().uuidString).pid"
        let proxy = try ProxyProcess(["--ip=", "--api-ip=127.0.0.1", "--pid-file", pidFile, "--keep-alive-timeout=7000"])
        #expect(try rawRequest(port: proxy.publicPort, "GET", "/_chp_healthz").status == 200)
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pid == String(proxy.process.processIdentifier))
        #expect(proxy.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: pidFile))
    }

    @Test("SIGTERM stops gracefully: an in-flight request still completes")
    func gracefulStop() async throws {
        let backend = try Backend()
        let proxy = try ProxyProcess(["--default-target", backend.url])
        let inFlight = Task.detached { try rawRequest(port: proxy.publicPort, "GET", "/slow/800") }
        try await Task.sleep(for: .milliseconds(300))
        kill(proxy.process.processIdentifier, SIGTERM)
        let response = try await inFlight.value
        #expect(response.status == 200 && response.text == "slow")
        proxy.process.waitUntilExit()
        #expect(proxy.process.terminationStatus == 0)
        #expect(throws: (any Error).self) { try RawConnection(port: proxy.publicPort) }
        await backend.stop()
    }
}
