import Foundation
import Testing
@testable import Hub

@Suite("Secrets come from the file, the environment or a secret file")
struct ConfigurationSecretTests {
    @Test("a plain value, an environment variable and a file all work")
    func threeSources() throws {
        let directory = try makeTemporaryDirectory()
        try "file-secret\n".write(toFile: directory + "/client_secret", atomically: true, encoding: .utf8)
        let configuration = try loadConfiguration("""
            JupyterHub:
              authenticator_class: mediawiki
              services: [{name: culler, api_token: inline-token}]
            MWOAuthenticator:
              client_id_env: MW_CLIENT_ID
              client_secret_file: client_secret
            """, environment: ["MW_CLIENT_ID": "env-id"], directory: directory)
        #expect(configuration.jupyterHub.services[0].apiToken == Secret(value: "inline-token", source: .inline))
        #expect(configuration.mediaWiki.clientID == Secret(value: "env-id", source: .environment("MW_CLIENT_ID")))
        // The trailing newline of the file is not part of the secret.
        #expect(configuration.mediaWiki.clientSecret == Secret(value: "file-secret", source: .file("client_secret")))
    }

    @Test("an absolute secret file path is used as is")
    func absoluteFile() throws {
        let directory = try makeTemporaryDirectory()
        try "proxy-token".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let configuration = try loadConfiguration(
            "ConfigurableHTTPProxy:\n  auth_token_file: \(directory)/token\n", directory: "/nonexistent")
        #expect(configuration.configurableHTTPProxy.authToken?.value == "proxy-token")
    }

    @Test("a missing variable, a missing file and an empty file are errors")
    func missingSources() throws {
        let directory = try makeTemporaryDirectory()
        try "\n".write(toFile: directory + "/empty", atomically: true, encoding: .utf8)
        let yaml = """
            JupyterHub:
              services:
                - {name: culler, api_token_env: CULLER_TOKEN}
                - {name: grafana, api_token_env: GRAFANA_TOKEN}
            MWOAuthenticator:
              client_id_file: nowhere/client_id
              client_secret_file: empty
            """
        var errors: [String] = []
        do {
            _ = try loadConfiguration(yaml, environment: ["GRAFANA_TOKEN": ""], directory: directory)
        } catch {
            errors = error.issues.map(\.description)
        }
        #expect(errors == [
            "pawshub.yaml:3: JupyterHub.services[0].api_token_env: environment variable CULLER_TOKEN is not set",
            "pawshub.yaml:4: JupyterHub.services[1].api_token_env: environment variable GRAFANA_TOKEN is empty",
            "pawshub.yaml:6: MWOAuthenticator.client_id_file: cannot read secret file nowhere/client_id: no such file",
            "pawshub.yaml:7: MWOAuthenticator.client_secret_file: secret file empty is empty",
        ])
    }

    @Test("giving two spellings of one secret is an error")
    func twoSpellings() {
        let errors = configurationErrors("""
            MWOAuthenticator:
              client_id: abc
              client_id_env: MW_CLIENT_ID
            """, environment: ["MW_CLIENT_ID": "x"])
        #expect(errors == [
            "pawshub.yaml:3: MWOAuthenticator.client_id_env: give only one of client_id, client_id_env, "
                + "client_id_file (client_id is also set)",
        ])
    }

    @Test("config check output names where secrets come from and never shows them")
    func masked() throws {
        let directory = try makeTemporaryDirectory()
        try "from-a-file".write(toFile: directory + "/secret", atomically: true, encoding: .utf8)
        let configuration = try loadConfiguration("""
            JupyterHub:
              authenticator_class: mediawiki
              services: [{name: culler, api_token_env: CULLER_TOKEN}, {name: ops, api_token: inline-value}]
            MWOAuthenticator: {client_id: plain-id, client_secret_file: secret}
            """, environment: ["CULLER_TOKEN": "env-value"], directory: directory)
        let text = ConfigurationRenderer.render(configuration)
        for secret in ["env-value", "inline-value", "plain-id", "from-a-file"] {
            #expect(!text.contains(secret))
        }
        #expect(text.contains("api_token: <secret from env CULLER_TOKEN>"))
        #expect(text.contains("api_token: <secret given inline>"))
        #expect(text.contains("client_secret: <secret from file secret>"))
        let clientID = try #require(configuration.mediaWiki.clientID)
        #expect("\(clientID)" == "<secret given inline>")
        #expect(String(reflecting: clientID) == "<secret given inline>")
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("plain-id") && !dumped.contains("env-value"))
    }

    @Test("CONFIGPROXY_AUTH_TOKEN supplies the proxy token when the file does not")
    func proxyTokenFromEnvironment() throws {
        let yaml = "JupyterHub:\n  proxy_class: configurable-http-proxy\n"
        let configuration = try loadConfiguration(yaml, environment: ["CONFIGPROXY_AUTH_TOKEN": "t0ken"])
        #expect(configuration.configurableHTTPProxy.authToken
                == Secret(value: "t0ken", source: .environment("CONFIGPROXY_AUTH_TOKEN")))
        let explicit = try loadConfiguration(yaml + "ConfigurableHTTPProxy: {auth_token: mine}\n",
                                             environment: ["CONFIGPROXY_AUTH_TOKEN": "t0ken"])
        #expect(explicit.configurableHTTPProxy.authToken?.value == "mine")
    }

    @Test("JUPYTERHUB_CRYPT_KEY supplies ;-separated keys, and bad keys are refused")
    func cryptKeys() throws {
        let hex = String(repeating: "0f", count: 32)
        let base64 = Data(repeating: 7, count: 32).base64EncodedString()
        let configuration = try loadConfiguration("", environment: ["JUPYTERHUB_CRYPT_KEY": "\(hex);\(base64)"])
        #expect(configuration.cryptKeeper.keys.map(\.value) == [hex, base64])
        #expect(configuration.cryptKeeper.keys.first?.source == .environment("JUPYTERHUB_CRYPT_KEY"))
        let fromFile = try loadConfiguration("CryptKeeper:\n  keys: [\(hex)]\n",
                                             environment: ["JUPYTERHUB_CRYPT_KEY": base64])
        #expect(fromFile.cryptKeeper.keys.map(\.value) == [hex])
        #expect(configurationErrors("", environment: ["JUPYTERHUB_CRYPT_KEY": "short"]) == [
            "pawshub.yaml: JUPYTERHUB_CRYPT_KEY (environment): key 1 is not 32 bytes as 64 hex digits or base64 "
                + "(make one with `openssl rand -hex 32`)",
        ])
    }

    @Test("service tokens must be at least 8 characters and not shared")
    func serviceTokenRules() {
        let errors = configurationErrors("""
            JupyterHub:
              services:
                - {name: a, api_token: short}
                - {name: b, api_token: same-token-1}
                - {name: c, api_token: same-token-1}
            """)
        #expect(errors == [
            "pawshub.yaml:3: JupyterHub.services[0].api_token: must be at least 8 characters",
            "pawshub.yaml:5: JupyterHub.services[2].api_token: is the same token as service b's; each service "
                + "needs its own",
        ])
    }
}
