// configurable-http-proxy's command line, parsed by hand: z2jh renders `--ip=` (an empty value
// meaning "all interfaces"), which swift-argument-parser rejects as a missing value, and every
// mistake must be one clear line (exit 2) rather than a usage dump.

/// Parses `pawshub proxy` arguments into a configuration.
public enum ProxyCommandLine {
    /// What the arguments asked for.
    public enum Request: Sendable {
        case run(ProxyConfiguration, logLevel: LogLevel)
        case help
        case version
    }

    /// CHP's log levels.
    public enum LogLevel: String, Sendable { case debug, info, warn, error }

    static let valueFlags: Set<String> = [
        "ip", "port", "api-ip", "api-port", "default-target", "error-target", "error-path", "timeout",
        "proxy-timeout", "keep-alive-timeout", "custom-header", "metrics-ip", "metrics-port", "ssl-key",
        "ssl-cert", "log-level", "pid-file", "threads",
    ]
    static let booleanFlags: Set<String> = ["host-routing", "no-x-forward", "no-include-prefix", "no-prepend-path"]

    /// Parses `arguments` (without the subcommand name); `authToken` is `CONFIGPROXY_AUTH_TOKEN`.
    public static func parse(_ arguments: [String], authToken: String?) throws(ProxyConfigurationError) -> Request {
        var values: [(String, String)] = []
        var booleans: Set<String> = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" { return .help }
            if argument == "-V" || argument == "--version" { return .version }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ProxyConfigurationError("unexpected argument '\(argument)'")
            }
            let body = argument.dropFirst(2)
            let name: String
            var inline: String?
            if let eq = body.firstIndex(of: "=") {
                name = String(body[..<eq])
                inline = String(body[body.index(after: eq)...])
            } else {
                name = String(body)
            }
            if booleanFlags.contains(name) {
                switch inline {
                case nil, "true": booleans.insert(name)
                case "false": booleans.remove(name)
                default: throw ProxyConfigurationError("--\(name) takes no value (got '\(inline ?? "")')")
                }
                continue
            }
            guard valueFlags.contains(name) else { throw ProxyConfigurationError("unknown option '--\(name)'") }
            if let inline {
                values.append((name, inline))
            } else {
                guard index < arguments.count else { throw ProxyConfigurationError("--\(name) needs a value") }
                values.append((name, arguments[index]))
                index += 1
            }
        }
        return try build(values: values, booleans: booleans, authToken: authToken)
    }

    static func build(values: [(String, String)], booleans: Set<String>, authToken: String?) throws(ProxyConfigurationError) -> Request {
        var c = ProxyConfiguration()
        var level = LogLevel.info
        for (name, value) in values {
            switch name {
            case "ip": c.ip = value == "*" ? "" : value
            case "port": c.port = try integer(value, name)
            case "api-ip": c.apiIP = value == "*" ? "" : value
            case "api-port": c.apiPort = try integer(value, name)
            case "default-target": c.defaultTarget = value
            case "error-target": c.errorTarget = value
            case "error-path": c.errorPath = value
            case "timeout": c.timeout = .milliseconds(try integer(value, name))
            case "proxy-timeout": c.proxyTimeout = .milliseconds(try integer(value, name))
            case "keep-alive-timeout": c.keepAliveTimeout = .milliseconds(try integer(value, name))
            case "custom-header": c.customHeaders.append(try ProxyConfiguration.parseCustomHeader(value))
            case "metrics-ip": c.metricsIP = value == "*" ? "" : value
            case "metrics-port": c.metricsPort = try integer(value, name)
            case "ssl-key": c.sslKey = value
            case "ssl-cert": c.sslCert = value
            case "pid-file": c.pidFile = value
            case "threads":
                let threads = try integer(value, name)
                guard (1...256).contains(threads) else {
                    throw ProxyConfigurationError("--threads expects 1 to 256 event loops, got '\(value)'")
                }
                c.threads = threads
            case "log-level":
                guard let parsed = LogLevel(rawValue: value.lowercased() == "warning" ? "warn" : value.lowercased()) else {
                    throw ProxyConfigurationError("--log-level must be one of debug, info, warn, error (got '\(value)')")
                }
                level = parsed
            default: throw ProxyConfigurationError("unknown option '--\(name)'")
            }
        }
        c.hostRouting = booleans.contains("host-routing")
        c.xForward = !booleans.contains("no-x-forward")
        c.includePrefix = !booleans.contains("no-include-prefix")
        c.prependPath = !booleans.contains("no-prepend-path")
        if let authToken, !authToken.isEmpty { c.authToken = authToken }
        try c.validate()
        return .run(c, logLevel: level)
    }

    static func integer(_ text: String, _ flag: String) throws(ProxyConfigurationError) -> Int {
        guard let value = Int(text), value >= 0 else {
            throw ProxyConfigurationError("--\(flag) expects a non-negative integer, got '\(text)'")
        }
        return value
    }

    /// The `--help` text.
    public static let helpText = """
    USAGE: pawshub proxy [options]   (a drop-in for configurable-http-proxy)

    Both --flag value and --flag=value work; an empty --ip= means all interfaces.
    The REST API token comes from the CONFIGPROXY_AUTH_TOKEN environment variable.

    OPTIONS:
      --ip <ip>                    Public-facing IP ('' or '*' = all interfaces; default all)
      --port <n>                   Public-facing port (default 8000; 0 = any free port, logged)
      --api-ip <ip>                REST API IP (default localhost)
      --api-port <n>               REST API port (default port + 1)
      --default-target <url>       Route / to this target at start
      --error-target <url>         Fetch error pages from <url>/<code>?url=<request url>
      --error-path <dir>           Serve <dir>/<code>.html or <dir>/error.html on errors
      --timeout <ms>               Client socket inactivity timeout per request
      --proxy-timeout <ms>         Upstream response timeout (503 when exceeded)
      --keep-alive-timeout <ms>    Client keep-alive timeout (default 5000)
      --host-routing               Route on the Host header as the first path segment
      --no-x-forward               Don't add X-Forwarded-* headers
      --no-include-prefix          Strip the route prefix from forwarded paths
      --no-prepend-path            Don't prepend the target's path to forwarded paths
      --custom-header <k: v>       Header set on every proxied request (repeatable)
      --metrics-ip <ip>            Prometheus metrics IP (default all)
      --metrics-port <n>           Prometheus metrics port (off unless set)
      --ssl-key <file>             PEM private key for HTTPS on the public port
      --ssl-cert <file>            PEM certificate for HTTPS on the public port
      --log-level <level>          debug, info (default), warn or error
      --pid-file <file>            Write the process id here (removed on exit)
      --threads <n>                Event loops (threads) serving connections (default 1)
      -h, --help                   Show this help
      -V, --version                Show the version
    """
}
