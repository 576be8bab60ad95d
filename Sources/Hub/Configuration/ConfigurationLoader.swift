import Yams

/// Turns YAML text into a `HubConfiguration`: classes in inheritance order, environment fallbacks, then
/// the checks that span several traits.
enum ConfigurationLoader {
    /// Every class a configuration file may name.
    static let classNames = [
        "JupyterHub", "Authenticator", "OAuthenticator", "MWOAuthenticator", "DummyAuthenticator",
        "Spawner", "KubeSpawner", "LocalProcessSpawner", "ConfigurableHTTPProxy", "CryptKeeper", "Culler",
    ]

    static func load(yaml: String, reader: ConfigReader) -> HubConfiguration {
        var configuration = HubConfiguration()
        let sections = parseSections(yaml: yaml, reader: reader)

        // JupyterHub first: it picks the classes whose sections below take effect.
        apply(JupyterHubSettings.traits.lifted(\.jupyterHub), "JupyterHub", sections, reader, &configuration, true)

        // Subclass sections override base-class ones, as traitlets does; a section for a class that is not
        // selected is still checked, so a typo there is caught before the admin switches to it.
        let hub = configuration.jupyterHub
        let mediaWiki = hub.authenticatorClass != .dummy
        let baseAuth = AuthenticatorSettings.traits.lifted(\HubConfiguration.authenticator)
        apply(baseAuth, "Authenticator", sections, reader, &configuration, true)
        apply(baseAuth + MWOAuthenticatorSettings.oauthTraits.lifted(\.mediaWiki),
              "OAuthenticator", sections, reader, &configuration, mediaWiki)
        apply(baseAuth + MWOAuthenticatorSettings.traits.lifted(\.mediaWiki),
              "MWOAuthenticator", sections, reader, &configuration, mediaWiki)
        apply(baseAuth + DummyAuthenticatorSettings.traits.lifted(\.dummyAuthenticator),
              "DummyAuthenticator", sections, reader, &configuration, !mediaWiki)

        let baseSpawner = SpawnerSettings.traits.lifted(\HubConfiguration.spawner)
        apply(baseSpawner, "Spawner", sections, reader, &configuration, true)
        apply(baseSpawner + KubeSpawnerSettings.traits.lifted(\.kubeSpawner),
              "KubeSpawner", sections, reader, &configuration, hub.spawnerClass == .kubernetes)
        apply(baseSpawner + LocalProcessSpawnerSettings.traits.lifted(\.localProcessSpawner),
              "LocalProcessSpawner", sections, reader, &configuration, hub.spawnerClass == .local)

        apply(ConfigurableHTTPProxySettings.traits.lifted(\.configurableHTTPProxy),
              "ConfigurableHTTPProxy", sections, reader, &configuration, true)
        apply(CryptKeeperSettings.traits.lifted(\.cryptKeeper), "CryptKeeper", sections, reader, &configuration, true)
        apply(CullerSettings.traits.lifted(\.culler), "Culler", sections, reader, &configuration, true)

        applyEnvironment(to: &configuration, reader: reader)
        ConfigurationChecks(configuration: configuration, sections: sections, reader: reader).run()
        return configuration
    }

    /// Applies one class's section to the configuration, or to a scratch copy when `effective` is false.
    private static func apply(
        _ traits: [Trait<HubConfiguration>], _ name: String, _ sections: [String: Node],
        _ reader: ConfigReader, _ configuration: inout HubConfiguration, _ effective: Bool
    ) {
        guard let node = sections[name] else { return }
        if effective {
            reader.apply(traits, section: name, node: node, to: &configuration)
        } else {
            var scratch = configuration
            reader.apply(traits, section: name, node: node, to: &scratch)
        }
    }

    /// The environment variables JupyterHub admins already set keep their meaning when the file is silent.
    private static func applyEnvironment(to configuration: inout HubConfiguration, reader: ConfigReader) {
        if configuration.configurableHTTPProxy.authToken == nil,
           let token = reader.environment["CONFIGPROXY_AUTH_TOKEN"], !token.isEmpty {
            configuration.configurableHTTPProxy.authToken =
                Secret(value: token, source: .environment("CONFIGPROXY_AUTH_TOKEN"))
        }
        if configuration.cryptKeeper.keys.isEmpty,
           let keys = reader.environment["JUPYTERHUB_CRYPT_KEY"], !keys.isEmpty {
            let node = Node(keys, .implicit, .doubleQuoted)
            configuration.cryptKeeper.keys = reader.cryptKeys(
                node, "JUPYTERHUB_CRYPT_KEY (environment)", source: .environment("JUPYTERHUB_CRYPT_KEY")) ?? []
        }
    }

    /// The top-level mapping split by class name; syntax errors and unknown classes are reported.
    private static func parseSections(yaml: String, reader: ConfigReader) -> [String: Node] {
        let root: Node?
        do {
            // The basic resolver: this reader types plain scalars itself (`value(_:_:)`), and the default one
            // compiles eight ICU regular expressions at every start (~1 MiB of ICU code, data and heap resident).
            root = try Yams.compose(yaml: yaml, .basic)
        } catch let error as YamlError {
            let (line, reason) = describe(error)
            reader.fail("", line: line, "invalid YAML: \(reason)")
            return [:]
        } catch {
            reader.fail("", line: nil, "invalid YAML: \(error)")
            return [:]
        }
        guard let root, !reader.isNull(root) else { return [:] }
        guard let pairs = reader.mapping(root, "") else { return [:] }
        var sections: [String: Node] = [:]
        for pair in pairs {
            guard classNames.contains(pair.key) else {
                let hint = pair.key == "hub"
                    ? "unknown class: give the contents of the chart's hub.config, not hub itself"
                    : "unknown class"
                reader.fail(pair.key, pair.keyNode, hint,
                            suggestion: NameSuggestion.closest(to: pair.key, in: classNames))
                continue
            }
            sections[pair.key] = pair.value
        }
        return sections
    }

    /// Line and problem of a Yams error, without Yams' multi-line snippet.
    private static func describe(_ error: YamlError) -> (Int?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return (mark.line, prefix + problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "duplicated key \(duplicates.joined(separator: ", ")) in a mapping")
        case .reader(let problem, _, _, _):
            return (nil, problem)
        default:
            return (nil, "\(error)")
        }
    }
}
