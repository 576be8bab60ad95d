import Foundation
import Testing
@testable import Hub

@Suite("Configuration defaults and real configurations")
struct ConfigurationDefaultsTests {
    @Test("with no file the hub runs the development setup on loopback")
    func embeddedDefaults() throws {
        let configuration = try HubConfiguration.load(file: nil, environment: [:])
        let hub = configuration.jupyterHub
        #expect(configuration.file == nil)
        #expect(hub.databaseURL.path == "pawshub.sqlite")
        #expect(hub.bindURL == BindURL(scheme: "http", host: "127.0.0.1", port: 8000, basePath: "/"))
        #expect(hub.hubBindURL.host == "127.0.0.1" && hub.hubBindURL.port == 8081)
        #expect(hub.proxyClass == .embedded)
        #expect(hub.spawnerClass == .local)
        #expect(hub.authenticatorClass == .dummy)
        #expect(configuration.spawner.cmd == ["jupyterhub-singleuser"])
        #expect(configuration.authenticator.allowsEveryone(with: .dummy))
    }

    @Test("JupyterHub's own defaults apply to traits the file leaves out")
    func jupyterHubDefaults() throws {
        let configuration = try loadConfiguration("JupyterHub: {}\n")
        let hub = configuration.jupyterHub
        #expect(hub.concurrentSpawnLimit == 100)
        #expect(hub.activeServerLimit == 0)
        #expect(hub.lastActivityInterval == .seconds(300))
        #expect(hub.allowNamedServers == false)
        #expect(hub.cleanupServers == true)
        #expect(hub.cookieMaxAgeDays == 14)
        #expect(configuration.spawner.startTimeout == .seconds(60))
        #expect(configuration.spawner.httpTimeout == .seconds(30))
        #expect(configuration.spawner.memLimit == nil)
        #expect(configuration.kubeSpawner.port == 8888)
        #expect(configuration.kubeSpawner.deleteGracePeriod == .seconds(1))
        #expect(configuration.culler == CullerSettings())
        #expect(configuration.culler.timeout == .seconds(3600) && configuration.culler.every == .seconds(600))
        #expect(configuration.authenticator.allowsEveryone(with: .mediawiki) == false)
    }

    @Test("an empty file and a file of comments give the defaults")
    func emptyFile() throws {
        #expect(try loadConfiguration("") .jupyterHub == JupyterHubSettings())
        #expect(try loadConfiguration("# nothing yet\n").spawner == SpawnerSettings())
    }

    @Test("the documented example loads with its secrets from the environment")
    func documentedExample() throws {
        let path = packageRoot.appendingPathComponent("docs/pawshub.example.yaml").path
        let environment = ["MW_CLIENT_ID": "0123456789abcdef0123456789abcdef", "MW_CLIENT_SECRET": "s3cret",
                           "CULLER_TOKEN": "culler-token"]
        let configuration = try HubConfiguration.load(file: path, environment: environment)
        let hub = configuration.jupyterHub
        #expect(hub.bindURL.host == "0.0.0.0" && hub.bindURL.port == 8000)
        #expect(hub.hubConnectURL?.host == "hub")
        #expect(hub.databaseURL.path == "/data/pawshub.sqlite")
        #expect(hub.authenticatorClass == .mediawiki && hub.spawnerClass == .kubernetes)
        #expect(hub.namedServerLimitPerUser == 2)
        #expect(hub.services.first?.apiToken == Secret(value: "culler-token", source: .environment("CULLER_TOKEN")))
        #expect(hub.loadRoles.map(\.name) == ["culler", "admin"])
        #expect(hub.loadRoles[1].scopes == nil)
        #expect(hub.loadRoles[1].users == ["Taavi"])
        #expect(configuration.mediaWiki.clientSecret?.value == "s3cret")
        #expect(configuration.spawner.memLimit == ByteSize(bytes: 3_221_225_472))
        #expect(configuration.spawner.defaultURL == "/lab")
        #expect(configuration.kubeSpawner.volumeMounts.first?.mapValue?["mountPath"] == .string("/home/paws"))
        #expect(configuration.authenticator.adminUsers.contains("BDavis (WMF)"))
    }

    @Test("the built-in defaults, printed by config check, load back to the same configuration")
    func renderedDefaultsRoundTrip() throws {
        let defaults = try HubConfiguration.load(file: nil, environment: [:])
        let reloaded = try loadConfiguration(ConfigurationRenderer.render(defaults))
        var expected = defaults
        expected.file = "pawshub.yaml"
        #expect(reloaded == expected)
    }

    @Test("a subclass section overrides its base class, and only for the class in use")
    func subclassSections() throws {
        let yaml = """
            JupyterHub: {spawner_class: kubernetes}
            Authenticator: {admin_users: [alice], enable_auth_state: true}
            MWOAuthenticator: {admin_users: [bob]}
            Spawner: {mem_limit: 1G, start_timeout: 120}
            KubeSpawner: {mem_limit: 2G}
            LocalProcessSpawner: {start_timeout: 5}
            """
        let configuration = try loadConfiguration(yaml)
        // The dev login is in use, so MWOAuthenticator's admins do not apply; LocalProcessSpawner's timeout neither.
        #expect(configuration.authenticator.adminUsers == ["alice"])
        #expect(configuration.authenticator.enableAuthState)
        #expect(configuration.spawner.memLimit == ByteSize(bytes: 2_147_483_648))
        #expect(configuration.spawner.startTimeout == .seconds(120))
        let mediawiki = try loadConfiguration(yaml.replacingOccurrences(
            of: "{spawner_class: kubernetes}", with: "{authenticator_class: mediawiki}")
            + "\nOAuthenticator: {client_id: id, client_secret: secret}\n")
        #expect(mediawiki.authenticator.adminUsers == ["bob"])
        #expect(mediawiki.spawner.memLimit == ByteSize(bytes: 1_073_741_824))
        #expect(mediawiki.spawner.startTimeout == .seconds(5))
        #expect(mediawiki.mediaWiki.clientID?.value == "id")
    }
}
