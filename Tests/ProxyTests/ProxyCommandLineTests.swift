import Testing
@testable import Proxy

@Suite("pawshub proxy command line (CHP flags)")
struct ProxyCommandLineTests {
    func configuration(_ arguments: [String], token: String? = nil) throws -> (ProxyConfiguration, ProxyCommandLine.LogLevel) {
        guard case .run(let c, let level) = try ProxyCommandLine.parse(arguments, authToken: token) else {
            throw ProxyConfigurationError("not a run request")
        }
        return (c, level)
    }

    @Test("z2jh's command line, including the empty --ip= and --api-ip= of chart 3.3.8")
    func z2jh() throws {
        let (c, level) = try configuration(["--ip=", "--api-ip=", "--api-port=8001", "--default-target=http://hub:8081",
                                            "--error-target=http://hub:8081/hub/error", "--port=8000"], token: "t")
        #expect(c.ip == "" && c.apiIP == "" && c.apiPort == 8001 && c.port == 8000)
        #expect(c.defaultTarget == "http://hub:8081" && c.errorTarget == "http://hub:8081/hub/error")
        #expect(c.authToken == "t" && level == .info)
    }

    @Test("JupyterHub's spawned-proxy command line with separate values")
    func jupyterhub() throws {
        let (c, level) = try configuration(["--ip", "::", "--port", "8000", "--api-ip", "127.0.0.1", "--api-port", "8001",
                                            "--error-target", "http://127.0.0.1:8081/hub/error", "--log-level", "info"])
        #expect(c.ip == "::" && c.apiIP == "127.0.0.1" && c.authToken == nil && level == .info)
    }

    @Test("booleans, repeated custom headers, timeouts and '*'")
    func everythingElse() throws {
        let (c, level) = try configuration(["--ip", "*", "--host-routing", "--no-x-forward", "--no-include-prefix",
                                            "--no-prepend-path", "--custom-header", "A: 1", "--custom-header=B:2",
                                            "--timeout", "1000", "--proxy-timeout=2000", "--keep-alive-timeout", "61000",
                                            "--metrics-port", "9090", "--log-level=warn", "--pid-file", "/tmp/p.pid",
                                            "--threads", "3"])
        #expect(c.ip == "" && c.hostRouting && !c.xForward && !c.includePrefix && !c.prependPath)
        #expect(c.customHeaders.map(\.name) == ["A", "B"] && c.customHeaders.map(\.value) == ["1", "2"])
        #expect(c.timeout == .milliseconds(1000) && c.proxyTimeout == .milliseconds(2000))
        #expect(c.keepAliveTimeout == .milliseconds(61000) && c.metricsPort == 9090 && c.pidFile == "/tmp/p.pid")
        #expect(level == .warn && c.threads == 3)
        #expect(try configuration([]).0.threads == 1)
    }

    @Test("mistakes are errors with one clear message", arguments: [
        (["--nope"], "unknown option '--nope'"),
        (["--port"], "--port needs a value"),
        (["--port", "x"], "--port expects a non-negative integer, got 'x'"),
        (["--custom-header", "invalid"], "A colon was expected in custom header: invalid"),
        (["--error-target", "http://h/e", "--error-path", "/tmp"], "--error-target and --error-path cannot both be set"),
        (["--log-level", "chatty"], "--log-level must be one of debug, info, warn, error (got 'chatty')"),
        (["stray"], "unexpected argument 'stray'"),
        (["--threads", "0"], "--threads expects 1 to 256 event loops, got '0'"),
        (["--host-routing=maybe"], "--host-routing takes no value (got 'maybe')"),
    ])
    func mistakes(_ arguments: [String], _ message: String) {
        do {
            _ = try ProxyCommandLine.parse(arguments, authToken: nil)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("help and version requests")
    func helpAndVersion() throws {
        guard case .help = try ProxyCommandLine.parse(["--port", "1", "--help"], authToken: nil) else { Issue.record("no help"); return }
        guard case .version = try ProxyCommandLine.parse(["-V"], authToken: nil) else { Issue.record("no version"); return }
    }
}
