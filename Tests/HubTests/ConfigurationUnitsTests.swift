import Testing
@testable import Hub

@Suite("Units: sizes, durations, URLs")
struct ConfigurationUnitsTests {
    @Test("memory sizes use binary units as JupyterHub does", arguments: [
        ("3G", Int64(3_221_225_472)), ("512M", 536_870_912), ("1.5G", 1_610_612_736), ("0.70G", 751_619_276),
        ("1024", 1024), ("2K", 2048), ("1T", 1_099_511_627_776), ("1Gi", 1_073_741_824), ("0", 0),
    ])
    func sizes(text: String, bytes: Int64) {
        #expect(ByteSize(parsing: text)?.bytes == bytes)
    }

    @Test("nonsense sizes are refused", arguments: ["", "G", "-1G", "3X", "1.2.3G", "3 gigs", "1e3", "99999999999T"])
    func badSizes(text: String) {
        #expect(ByteSize(parsing: text) == nil)
    }

    @Test("a plain integer size in YAML is bytes")
    func integerSize() throws {
        let configuration = try loadConfiguration("Spawner:\n  mem_limit: 3221225472\n  mem_guarantee: 512M\n")
        #expect(configuration.spawner.memLimit?.bytes == 3_221_225_472)
        #expect(configuration.spawner.memGuarantee?.bytes == 536_870_912)
    }

    @Test("durations are seconds, fractions allowed")
    func durations() throws {
        let configuration = try loadConfiguration("Spawner:\n  http_timeout: 2.5\nCuller:\n  every: 0\n  timeout: 90\n")
        #expect(configuration.spawner.httpTimeout == .milliseconds(2500))
        #expect(configuration.culler.sweepInterval == .seconds(45))
    }

    @Test("cpu limits are cores as numbers")
    func cores() throws {
        let configuration = try loadConfiguration("Spawner:\n  cpu_limit: 2\n  cpu_guarantee: 0.25\n")
        #expect(configuration.spawner.cpuLimit == 2)
        #expect(configuration.spawner.cpuGuarantee == 0.25)
    }

    @Test("bind URLs give scheme, host, port and a base path ending in /")
    func bindURLs() throws {
        #expect(try BindURL.parse("http://0.0.0.0:8000/paws").get()
                == BindURL(scheme: "http", host: "0.0.0.0", port: 8000, basePath: "/paws/"))
        #expect(try BindURL.parse("https://hub.example.org").get()
                == BindURL(scheme: "https", host: "hub.example.org", port: 443, basePath: "/"))
        #expect(try BindURL.parse("http://:8081").get().host == "")
        #expect(try BindURL.parse("http://[::1]:8000/").get().isLoopback)
        #expect(try BindURL.parse("http://127.0.0.2:1/").get().isLoopback)
        #expect(try BindURL.parse("http://127.example.org/").get().isLoopback == false)
        for bad in ["0.0.0.0:8000", "http://x:0/", "http://x:70000/", "http://x/a?b", "http://u@x/", "http://x//a"] {
            #expect(throws: BindURLProblem.self) { try BindURL.parse(bad).get() }
        }
    }

    @Test("the base URL comes from bind_url")
    func baseURL() throws {
        let configuration = try loadConfiguration("JupyterHub:\n  bind_url: http://127.0.0.1:8000/prefix\n")
        #expect(configuration.jupyterHub.bindURL.basePath == "/prefix/")
    }

    @Test("db_url follows SQLAlchemy's sqlite paths; other databases are refused")
    func databaseURLs() throws {
        #expect(try DatabaseURL.parse("sqlite:///jupyterhub.sqlite").get().path == "jupyterhub.sqlite")
        #expect(try DatabaseURL.parse("sqlite:////data/hub.sqlite").get().path == "/data/hub.sqlite")
        #expect(configurationErrors("JupyterHub:\n  db_url: postgresql://db/hub\n")
                == ["pawshub.yaml:2: JupyterHub.db_url: only sqlite databases are supported, got postgresql"])
    }

    @Test("servers reach the hub through hub_connect_url, or hub_bind_url made loopback when it is a wildcard")
    func hubConnectURL() throws {
        var hub = JupyterHubSettings()
        hub.hubBindURL = try BindURL.parse("http://:8081").get()
        #expect(hub.effectiveHubConnectURL.description == "http://127.0.0.1:8081/")
        hub.hubConnectURL = try BindURL.parse("http://hub:8081").get()
        #expect(hub.effectiveHubConnectURL.host == "hub")
        hub.bindURL = try BindURL.parse("http://127.0.0.1:8000/paws").get()
        #expect(hub.baseURL == "/paws/")
    }
}
