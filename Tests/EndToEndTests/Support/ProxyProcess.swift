// Starts the real `pawshub proxy` binary (built next to the test bundle) on free ports and
// reads the ports it logs, so end-to-end tests talk to exactly what admins run.
import Foundation
import Testing

/// A running `pawshub proxy` subprocess.
final class ProxyProcess: @unchecked Sendable {
    let process = Process()
    let publicPort: Int
    let apiPort: Int
    let metricsPort: Int?
    let token: String
    private let output: LineCollector

    /// The binary: `.build/<config>/pawshub`, next to the test bundle.
    static var binary: URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("pawshub")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/pawshub")
    }

    /// Starts the proxy with `arguments` (ports default to 0) and waits until all listeners are up.
    init(_ arguments: [String] = [], token: String? = "e2e-secret", metrics: Bool = false,
         environment extra: [String: String] = [:]) throws {
        self.token = token ?? ""
        var args = ["proxy", "--ip", "127.0.0.1", "--log-level", "debug"]
        if !arguments.contains("--port") { args += ["--port", "0"] }
        if !arguments.contains("--api-port") { args += ["--api-port", "0"] }
        if metrics { args += ["--metrics-ip", "127.0.0.1", "--metrics-port", "0"] }
        args += arguments
        process.executableURL = Self.binary
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["CONFIGPROXY_AUTH_TOKEN"] = token
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        output = LineCollector(pipe.fileHandleForReading)
        try process.run()
        let proxying = try output.waitFor(pattern: "Proxying ", timeout: 20)
        let api = try output.waitFor(pattern: "Proxy API at ", timeout: 20)
        publicPort = try Self.port(in: proxying)
        apiPort = try Self.port(in: api)
        metricsPort = metrics ? try Self.port(in: output.waitFor(pattern: "Serve metrics at ", timeout: 20)) : nil
    }

    deinit { stop() }

    /// Sends SIGTERM and waits for exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            // Never hang a test run on a proxy that ignores SIGTERM: that is a failure, then SIGKILL.
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return -1
            }
        }
        return process.terminationStatus
    }

    /// Every stderr line so far.
    var lines: [String] { output.snapshot() }

    /// Waits until a line containing `pattern` appears.
    func waitForLine(_ pattern: String, timeout: Double = 10) throws -> String {
        try output.waitFor(pattern: pattern, timeout: timeout)
    }

    static func port(in line: String) throws -> Int {
        // "... http://127.0.0.1:PORT ..." → PORT
        guard let range = line.range(of: #":(\d+)(/| |$)"#, options: .regularExpression) else {
            throw E2EError("no port in line: \(line)")
        }
        let digits = line[range].dropFirst().prefix(while: \.isNumber)
        guard let port = Int(digits) else { throw E2EError("bad port in line: \(line)") }
        return port
    }
}

/// Collects a pipe's lines on a background thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSCondition()
    private var lines: [String] = []
    private var partial = Data()
    private var closed = false

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                lock.lock()
                if data.isEmpty { closed = true; lock.broadcast(); lock.unlock(); return }
                partial.append(data)
                while let newline = partial.firstIndex(of: 0x0A) {
                    let line = String(decoding: partial[partial.startIndex..<newline], as: UTF8.self)
                    lines.append(line)
                    partial.removeSubrange(partial.startIndex...newline)
                }
                lock.broadcast()
                lock.unlock()
            }
        }
        thread.start()
    }

    func snapshot() -> [String] { lock.lock(); defer { lock.unlock() }; return lines }

    func waitFor(pattern: String, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let line = lines.first(where: { $0.contains(pattern) }) { return line }
            if closed { throw E2EError("process ended before logging '\(pattern)'; output:\n\(lines.joined(separator: "\n"))") }
            if !lock.wait(until: deadline) {
                throw E2EError("timed out waiting for '\(pattern)'; output:\n\(lines.joined(separator: "\n"))")
            }
        }
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
