import Spawners
import Yams

/// Rules that span several traits or classes, checked after every section was read.
struct ConfigurationChecks {
    let configuration: HubConfiguration
    let sections: [String: Node]
    let reader: ConfigReader

    func run() {
        checkDevelopmentLogin()
        checkCredentials()
        checkListeners()
        checkCookieSecret()
        checkNamedServers()
        checkSpawner()
        checkRoles()
        checkServiceTokens()
        checkCuller()
    }

    /// Line of `Class.trait` in the file, for errors about a value that may have come from a default.
    private func line(_ section: String, _ trait: String) -> Int? {
        guard let mapping = sections[section]?.mapping else { return nil }
        for (key, _) in mapping where key.string == trait { return key.mark?.line }
        return nil
    }

    /// The first of several places a value may have been set, as `(path, line)`.
    private func place(_ candidates: [(String, String)]) -> (String, Int?) {
        for (section, trait) in candidates.reversed() {
            if let found = line(section, trait) { return ("\(section).\(trait)", found) }
        }
        let (section, trait) = candidates[0]
        return ("\(section).\(trait)", nil)
    }

    /// The dev login accepts any name, so it must never face a network.
    private func checkDevelopmentLogin() {
        let hub = configuration.jupyterHub
        guard hub.authenticatorClass == .dummy else { return }
        for (trait, url) in [("bind_url", hub.bindURL), ("hub_bind_url", hub.hubBindURL)] where !url.isLoopback {
            let shown = url.host.isEmpty ? "every interface" : url.host
            reader.fail("JupyterHub.authenticator_class", line: line("JupyterHub", "authenticator_class")
                        ?? line("JupyterHub", trait),
                        "the dummy login lets anyone in under any name, so it is refused unless the hub listens "
                        + "on loopback only; JupyterHub.\(trait) listens on \(shown)")
        }
    }

    /// Secrets that the selected classes cannot work without.
    private func checkCredentials() {
        let hub = configuration.jupyterHub
        if hub.authenticatorClass != .dummy {
            let consumer = configuration.mediaWiki
            for (trait, value) in [("client_id", consumer.clientID), ("client_secret", consumer.clientSecret)]
            where value == nil && !reader.hasIssue(atAnyOf: spellings(of: trait,
                                                                       in: ["OAuthenticator", "MWOAuthenticator"])) {
                reader.fail("MWOAuthenticator.\(trait)", line: line("JupyterHub", "authenticator_class"),
                            "is required when authenticator_class is \(hub.authenticatorClass.rawValue) "
                            + "(give \(trait), \(trait)_env or \(trait)_file)")
            }
        }
        if hub.proxyClass == .configurableHTTPProxy, configuration.configurableHTTPProxy.authToken == nil,
           !reader.hasIssue(atAnyOf: spellings(of: "auth_token", in: ["ConfigurableHTTPProxy"])) {
            reader.fail("ConfigurableHTTPProxy.auth_token", line: line("JupyterHub", "proxy_class"),
                        "is required when proxy_class is configurable-http-proxy (give auth_token, "
                        + "auth_token_env or auth_token_file, or set CONFIGPROXY_AUTH_TOKEN)")
        }
    }

    /// Every key path a secret trait may have been written under.
    private func spellings(of trait: String, in classes: [String]) -> [String] {
        classes.flatMap { section in ConfigReader.secretTwins(trait).map { "\(section).\($0)" } }
    }

    /// The embedded proxy and the hub cannot share one port.
    private func checkListeners() {
        let hub = configuration.jupyterHub
        guard hub.proxyClass == .embedded, hub.bindURL.port == hub.hubBindURL.port else { return }
        let wildcard = ["", "0.0.0.0", "::"]
        if hub.bindURL.host == hub.hubBindURL.host || wildcard.contains(hub.bindURL.host)
            || wildcard.contains(hub.hubBindURL.host) {
            let (path, found) = place([("JupyterHub", "bind_url"), ("JupyterHub", "hub_bind_url")])
            reader.fail(path, line: found, "bind_url and hub_bind_url both use port \(hub.bindURL.port); "
                        + "the embedded proxy and the hub need different ports")
        }
    }

    /// The cookie secret signs every login cookie: it must be the 32 random bytes JupyterHub expects, in hex.
    private func checkCookieSecret() {
        guard let secret = configuration.jupyterHub.cookieSecret else { return }
        if secret.value.count != 64 || !secret.value.allSatisfy(\.isHexDigit) {
            let (path, found) = place([("JupyterHub", "cookie_secret"), ("JupyterHub", "cookie_secret_env"),
                                       ("JupyterHub", "cookie_secret_file")])
            reader.fail(path, line: found, "must be 64 hex digits (32 bytes; make one with `openssl rand -hex 32`)")
        }
    }

    /// A named-server limit without named servers would be silently meaningless.
    private func checkNamedServers() {
        let hub = configuration.jupyterHub
        if !hub.allowNamedServers, hub.namedServerLimitPerUser > 0 {
            reader.fail("JupyterHub.named_server_limit_per_user", line: line("JupyterHub", "named_server_limit_per_user"),
                        "has no effect while allow_named_servers is false")
        }
    }

    /// Limits a pod could never be created with.
    private func checkSpawner() {
        let spawner = configuration.spawner
        let classes = ["Spawner", "KubeSpawner", "LocalProcessSpawner"]
        if spawner.cmd.isEmpty, configuration.jupyterHub.spawnerClass == .local {
            let (path, found) = place(classes.map { ($0, "cmd") })
            reader.fail(path, line: found, "must name a command for the local spawner")
        }
        if configuration.jupyterHub.spawnerClass == .static {
            if let url = spawner.staticURL {
                if case .failure(let problem) = Result(catching: { () throws(SpawnerError) in try ServerAddress(url: url) }) {
                    reader.fail("Spawner.static_url", line: line("Spawner", "static_url"), problem.message)
                }
            } else {
                reader.fail("Spawner.static_url", line: line("JupyterHub", "spawner_class"),
                            "is required when spawner_class is static (the URL every server is)")
            }
        }
        if let limit = spawner.memLimit, let guarantee = spawner.memGuarantee, guarantee > limit {
            let (path, found) = place(classes.map { ($0, "mem_guarantee") })
            reader.fail(path, line: found, "\(guarantee.bytes) bytes is more than mem_limit (\(limit.bytes) bytes)")
        }
        if let limit = spawner.cpuLimit, let guarantee = spawner.cpuGuarantee, guarantee > limit {
            let (path, found) = place(classes.map { ($0, "cpu_guarantee") })
            reader.fail(path, line: found, "\(ConfigReader.format(guarantee)) cores is more than cpu_limit "
                        + "(\(ConfigReader.format(limit)) cores)")
        }
    }

    /// Roles may only name services that exist; users and groups are created on demand, as JupyterHub does.
    private func checkRoles() {
        let known = Set(configuration.jupyterHub.services.map(\.name))
        let items = sections["JupyterHub"]?["load_roles"]?.array() ?? []
        for (index, role) in configuration.jupyterHub.loadRoles.enumerated() {
            let item = index < items.count ? items[index] : nil
            let found = item?["services"]?.mark?.line ?? item?.mark?.line ?? line("JupyterHub", "load_roles")
            for service in role.services where !known.contains(service) {
                reader.fail("JupyterHub.load_roles[\(index)].services", line: found,
                            "service \(service) is not defined in JupyterHub.services",
                            suggestion: NameSuggestion.closest(to: service, in: Array(known)))
            }
        }
    }

    /// Operator-chosen tokens must be long enough to resist guessing and must identify one service each.
    private func checkServiceTokens() {
        let items = sections["JupyterHub"]?["services"]?.array() ?? []
        var owners: [String: String] = [:]
        for (index, service) in configuration.jupyterHub.services.enumerated() {
            guard let token = service.apiToken else { continue }
            let found = index < items.count ? items[index].mark?.line : line("JupyterHub", "services")
            let path = "JupyterHub.services[\(index)].api_token"
            if token.value.count < 8 {
                reader.fail(path, line: found, "must be at least 8 characters")
            } else if let owner = owners[token.value] {
                reader.fail(path, line: found, "is the same token as service \(owner)'s; each service needs its own")
            } else {
                owners[token.value] = service.name
            }
        }
    }

    private func checkCuller() {
        let culler = configuration.culler
        if culler.enabled, culler.timeout == .zero {
            reader.fail("Culler.timeout", line: line("Culler", "timeout"),
                        "must be more than 0 while the culler is enabled (set Culler.enabled: false to turn it off)")
        }
    }
}
