/// Writes the effective configuration as YAML for `pawshub config check`, secrets replaced by where they come from.
public enum ConfigurationRenderer {
    /// The sections that take effect with the selected classes, in the order an admin reads them.
    public static func render(_ configuration: HubConfiguration) -> String {
        let hub = configuration.jupyterHub
        var lines: [String] = []
        if let file = configuration.file {
            lines.append("# effective configuration from \(file)")
        } else {
            lines.append("# effective configuration: built-in defaults (no file given)")
        }
        section("JupyterHub", JupyterHubSettings.traits, configuration.jupyterHub, into: &lines)
        section("Authenticator", AuthenticatorSettings.traits, configuration.authenticator, into: &lines)
        lines.append("  # allow_all in effect: \(configuration.authenticator.allowsEveryone(with: hub.authenticatorClass))")
        switch hub.authenticatorClass {
        case .mediawiki, .mediawikiOAuth2:
            section("MWOAuthenticator", MWOAuthenticatorSettings.traits, configuration.mediaWiki, into: &lines)
        case .dummy:
            section("DummyAuthenticator", DummyAuthenticatorSettings.traits, configuration.dummyAuthenticator,
                    into: &lines)
        }
        section("Spawner", SpawnerSettings.traits, configuration.spawner, into: &lines)
        switch hub.spawnerClass {
        case .kubernetes:
            section("KubeSpawner", KubeSpawnerSettings.traits, configuration.kubeSpawner, into: &lines)
        case .local:
            section("LocalProcessSpawner", LocalProcessSpawnerSettings.traits, configuration.localProcessSpawner,
                    into: &lines)
        case .static:
            break
        }
        if hub.proxyClass == .configurableHTTPProxy {
            section("ConfigurableHTTPProxy", ConfigurableHTTPProxySettings.traits,
                    configuration.configurableHTTPProxy, into: &lines)
        }
        section("CryptKeeper", CryptKeeperSettings.traits, configuration.cryptKeeper, into: &lines)
        section("Culler", CullerSettings.traits, configuration.culler, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func section<Settings>(
        _ name: String, _ traits: [Trait<Settings>], _ settings: Settings, into lines: inout [String]
    ) {
        lines.append("\(name):")
        for trait in traits {
            guard let value = trait.render(settings) else { continue }
            lines.append(value.hasPrefix("\n") ? "  \(trait.name):\(value)" : "  \(trait.name): \(value)")
        }
    }
}
