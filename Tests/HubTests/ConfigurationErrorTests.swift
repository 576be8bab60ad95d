import Testing
@testable import Hub

@Suite("Configuration errors name the file, line, key and why")
struct ConfigurationErrorTests {
    @Test("a misspelt trait is reported with its line and the trait meant")
    func unknownTrait() {
        let errors = configurationErrors("""
            JupyterHub:
              allow_named_servers: true
            Spawner:
              mem_limt: 3G
            """)
        #expect(errors == ["pawshub.yaml:4: Spawner.mem_limt: unknown trait (did you mean mem_limit?)"])
    }

    @Test("a misspelt class is reported with the class meant")
    func unknownClass() {
        #expect(configurationErrors("KubeSpawnr:\n  image: x\n")
                == ["pawshub.yaml:1: KubeSpawnr: unknown class (did you mean KubeSpawner?)"])
    }

    @Test("a name far from every known one gets no suggestion")
    func noSuggestionWhenFar() {
        #expect(configurationErrors("Culler:\n  frobnicate: 1\n") == ["pawshub.yaml:2: Culler.frobnicate: unknown trait"])
    }

    @Test("pasting the chart's hub block explains what the top level should be")
    func chartBlockPasted() {
        let errors = configurationErrors("hub:\n  config: {}\n")
        #expect(errors.count == 1)
        #expect(errors.first?.contains("give the contents of the chart's hub.config") == true)
    }

    @Test("wrong types say what was expected and what was found")
    func wrongTypes() {
        let errors = configurationErrors("""
            JupyterHub:
              concurrent_spawn_limit: many
              allow_named_servers: "true"
              services: {name: culler}
            Spawner:
              args: --debug
            """)
        #expect(errors == [
            "pawshub.yaml:2: JupyterHub.concurrent_spawn_limit: expected an integer, got `many`",
            "pawshub.yaml:3: JupyterHub.allow_named_servers: expected true or false, got the string \"true\"",
            "pawshub.yaml:4: JupyterHub.services: expected a list, got a mapping",
            "pawshub.yaml:6: Spawner.args: expected a list, got `--debug`",
        ])
    }

    @Test("negative limits and unknown class choices are bad values")
    func badValues() {
        let errors = configurationErrors("""
            JupyterHub:
              active_server_limit: -1
              spawner_class: kubernets
              bind_url: ftp://example.org/
            Spawner:
              cpu_limit: -0.5
            Culler:
              concurrency: 0
            """)
        #expect(errors == [
            "pawshub.yaml:2: JupyterHub.active_server_limit: must be 0 or more, got -1",
            "pawshub.yaml:3: JupyterHub.spawner_class: must be one of kubernetes, local, static, got kubernets "
                + "(did you mean kubernetes?)",
            "pawshub.yaml:4: JupyterHub.bind_url: scheme must be http or https, got ftp",
            "pawshub.yaml:6: Spawner.cpu_limit: must be 0 or more, got -0.5",
            "pawshub.yaml:8: Culler.concurrency: must be 1 or more, got 0",
        ])
    }

    @Test("every problem in the file is reported, not just the first")
    func collectsAll() {
        let errors = configurationErrors("""
            JupyterHub:
              concurent_spawn_limit: 10
            Spawner:
              mem_limit: lots
              start_timeout: soon
            KubeSpawner:
              imag: x
            """)
        #expect(errors.count == 4)
        #expect(errors.map { $0.split(separator: ":")[1] } == ["2", "4", "5", "7"])
    }

    @Test("YAML syntax errors give the line")
    func syntaxError() {
        let errors = configurationErrors("JupyterHub:\n  bind_url: [http://x\nSpawner: {}\n")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("pawshub.yaml:") == true)
        #expect(errors.first?.contains("invalid YAML") == true)
    }

    @Test("a key given twice is an error, not last-one-wins")
    func duplicateKey() {
        let errors = configurationErrors("Spawner:\n  mem_limit: 1G\n  mem_limit: 2G\n")
        #expect(errors.count == 1)
        #expect(errors.first?.contains("duplicated key mem_limit") == true)
    }

    @Test("a top level that is not a mapping is refused")
    func topLevelList() {
        #expect(configurationErrors("- JupyterHub\n") == ["pawshub.yaml:1: expected a mapping, got a list"])
    }

    @Test("the dummy login is refused when the hub listens beyond loopback")
    func dummyOffLoopback() {
        let errors = configurationErrors("""
            JupyterHub:
              bind_url: http://0.0.0.0:8000
              authenticator_class: dummy
            """)
        #expect(errors == [
            "pawshub.yaml:3: JupyterHub.authenticator_class: the dummy login lets anyone in under any name, so it "
                + "is refused unless the hub listens on loopback only; JupyterHub.bind_url listens on 0.0.0.0",
        ])
        #expect(configurationErrors("JupyterHub:\n  hub_bind_url: http://:8081\n").count == 1)
        #expect(configurationErrors("JupyterHub:\n  bind_url: http://localhost:8000\n  hub_bind_url: http://[::1]:8081\n")
                .isEmpty)
    }

    @Test("the Wikimedia login needs its consumer credentials")
    func mediawikiNeedsCredentials() {
        let errors = configurationErrors("JupyterHub:\n  authenticator_class: mediawiki\n")
        #expect(errors == [
            "pawshub.yaml:2: MWOAuthenticator.client_id: is required when authenticator_class is mediawiki "
                + "(give client_id, client_id_env or client_id_file)",
            "pawshub.yaml:2: MWOAuthenticator.client_secret: is required when authenticator_class is mediawiki "
                + "(give client_secret, client_secret_env or client_secret_file)",
        ])
    }

    @Test("an external proxy needs its API token")
    func externalProxyNeedsToken() {
        let errors = configurationErrors("JupyterHub:\n  proxy_class: configurable-http-proxy\n")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("pawshub.yaml:2: ConfigurableHTTPProxy.auth_token: is required") == true)
        #expect(configurationErrors("ConfigurableHTTPProxy:\n  should_start: true\n").first?
                .contains("PawsHub does not launch an external proxy") == true)
    }

    @Test("roles and services are checked for shape, names and references")
    func rolesAndServices() {
        let errors = configurationErrors("""
            JupyterHub:
              services:
                - {name: culler, api_token: abcdefgh}
                - {name: culler}
                - {url: http://127.0.0.1:9000}
                - {name: "bad name"}
              load_roles:
                - {name: admin, scopes: [admin:users]}
                - {name: Ops, scopes: [read:users]}
                - {name: reader, scopes: read:users, services: [culer]}
                - {name: watcher, scope: [read:users]}
            """)
        #expect(errors == [
            "pawshub.yaml:4: JupyterHub.services[1].name: service culler is defined twice",
            "pawshub.yaml:5: JupyterHub.services[2].name: is required",
            "pawshub.yaml:6: JupyterHub.services[3].name: bad name is not a valid name: use letters, digits, "
                + "'.', '_' and '-'",
            "pawshub.yaml:8: JupyterHub.load_roles[0].scopes: the built-in admin role's scopes cannot be "
                + "redefined; list only its members",
            "pawshub.yaml:9: JupyterHub.load_roles[1].name: Ops is not a valid name: use 3–255 characters: a "
                + "lower-case letter, then lower-case letters, digits or '-_~.', ending in a letter or digit",
            "pawshub.yaml:10: JupyterHub.load_roles[2].scopes: expected a list, got `read:users`",
            "pawshub.yaml:10: JupyterHub.load_roles[2].services: service culer is not defined in "
                + "JupyterHub.services (did you mean culler?)",
            "pawshub.yaml:11: JupyterHub.load_roles[3].scope: unknown trait (did you mean scopes?)",
        ])
    }

    @Test("Kubernetes objects must have the fields Kubernetes requires")
    func kubernetesObjects() {
        let errors = configurationErrors("""
            KubeSpawner:
              volumes:
                - {hostPath: {path: /mnt/nfs}}
              volume_mounts:
                - {name: home}
              image_pull_policy: always
            """)
        #expect(errors == [
            "pawshub.yaml:3: KubeSpawner.volumes[0].name: is required",
            "pawshub.yaml:5: KubeSpawner.volume_mounts[0].mountPath: is required",
            "pawshub.yaml:6: KubeSpawner.image_pull_policy: must be one of Always, IfNotPresent, Never, got always "
                + "(did you mean Always?)",
        ])
    }

    @Test("guarantees above limits, a zero culler timeout and a shared port are refused")
    func crossTraitChecks() {
        let errors = configurationErrors("""
            JupyterHub:
              bind_url: http://127.0.0.1:8081
            Spawner:
              mem_limit: 1G
              mem_guarantee: 2G
              cpu_limit: 1
            KubeSpawner:
              cpu_guarantee: 2
            Culler:
              timeout: 0
            """)
        #expect(errors == [
            "pawshub.yaml:2: JupyterHub.bind_url: bind_url and hub_bind_url both use port 8081; the embedded "
                + "proxy and the hub need different ports",
            "pawshub.yaml:5: Spawner.mem_guarantee: 2147483648 bytes is more than mem_limit (1073741824 bytes)",
            "pawshub.yaml:10: Culler.timeout: must be more than 0 while the culler is enabled (set Culler.enabled: "
                + "false to turn it off)",
        ])
        // KubeSpawner's section only takes effect with the kubernetes spawner; the cpu check then applies.
        let kubernetes = configurationErrors("""
            JupyterHub: {spawner_class: kubernetes}
            Spawner: {cpu_limit: 1}
            KubeSpawner: {cpu_guarantee: 2}
            """)
        #expect(kubernetes == ["pawshub.yaml:3: KubeSpawner.cpu_guarantee: 2 cores is more than cpu_limit (1 cores)"])
    }

    @Test("sections of classes not selected are still checked for typos")
    func unselectedSectionsChecked() {
        #expect(configurationErrors("KubeSpawner:\n  namespce: prod\n")
                == ["pawshub.yaml:2: KubeSpawner.namespce: unknown trait (did you mean namespace?)"])
    }

    @Test("edit distance counts a swap of two letters as one edit")
    func suggestionDistance() {
        #expect(NameSuggestion.editDistance(Array("mme_limit"), Array("mem_limit")) == 1)
        #expect(NameSuggestion.closest(to: "cpu_limt", in: ["cpu_limit", "mem_limit"]) == "cpu_limit")
        #expect(NameSuggestion.closest(to: "xyz", in: ["cpu_limit"]) == nil)
    }

    @Test("JupyterHub traits that PawsHub spells differently say what to write instead")
    func replacedTraits() {
        #expect(configurationErrors("JupyterHub:\n  base_url: /paws/\n") == [
            "pawshub.yaml:2: JupyterHub.base_url: unknown trait: put the base path in bind_url "
                + "(http://0.0.0.0:8000/prefix/)",
        ])
    }

    @Test("a named-server limit without named servers is refused rather than ignored")
    func namedServerLimitWithoutNamedServers() {
        #expect(configurationErrors("JupyterHub:\n  named_server_limit_per_user: 3\n") == [
            "pawshub.yaml:2: JupyterHub.named_server_limit_per_user: has no effect while allow_named_servers is false",
        ])
        #expect(configurationErrors("JupyterHub:\n  allow_named_servers: true\n  named_server_limit_per_user: 3\n")
                .isEmpty)
    }

    @Test("a cookie secret must be 32 bytes of hex")
    func cookieSecret() {
        #expect(configurationErrors("JupyterHub:\n  cookie_secret: not-hex\n") == [
            "pawshub.yaml:2: JupyterHub.cookie_secret: must be 64 hex digits (32 bytes; make one with "
                + "`openssl rand -hex 32`)",
        ])
        let valid = String(repeating: "a1", count: 32)
        #expect(configurationErrors("JupyterHub:\n  cookie_secret: \(valid)\n").isEmpty)
    }
}
