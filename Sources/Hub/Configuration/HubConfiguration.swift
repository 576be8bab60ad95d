import Foundation

/// The whole hub configuration: one value per configurable class, with JupyterHub's defaults.
///
/// Load it with `HubConfiguration.load(file:environment:)`; the default value is what `pawshub serve`
/// runs with when no file is given (SQLite in the working directory, loopback listeners, embedded proxy,
/// local processes, the development login).
public struct HubConfiguration: Sendable, Equatable {
    /// The file it came from, or nil for the built-in defaults.
    public var file: String?
    public var jupyterHub = JupyterHubSettings()
    /// `Authenticator`, overridden by the selected subclass's section (`MWOAuthenticator`, …).
    public var authenticator = AuthenticatorSettings()
    public var mediaWiki = MWOAuthenticatorSettings()
    public var dummyAuthenticator = DummyAuthenticatorSettings()
    /// `Spawner`, overridden by the selected subclass's section (`KubeSpawner`, `LocalProcessSpawner`).
    public var spawner = SpawnerSettings()
    public var kubeSpawner = KubeSpawnerSettings()
    public var localProcessSpawner = LocalProcessSpawnerSettings()
    public var configurableHTTPProxy = ConfigurableHTTPProxySettings()
    public var cryptKeeper = CryptKeeperSettings()
    public var culler = CullerSettings()

    public init() {}
}

extension HubConfiguration {
    /// Loads and validates a configuration file; nil `file` gives the defaults (still reading the environment).
    ///
    /// - Parameters:
    ///   - file: path of the YAML file.
    ///   - environment: variables for `…_env` secrets, `CONFIGPROXY_AUTH_TOKEN`, `JUPYTERHUB_CRYPT_KEY`.
    /// - Throws: `ConfigurationError` listing every problem found.
    public static func load(file: String?, environment: [String: String]) throws(ConfigurationError) -> HubConfiguration {
        guard let file else {
            return try load(yaml: "", file: nil, environment: environment,
                            baseDirectory: FileManager.default.currentDirectoryPath)
        }
        let contents: String
        do {
            contents = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(issues: [ConfigurationIssue(
                file: file, line: nil, keyPath: "",
                reason: "cannot read configuration file: \(ConfigReader.fileProblem(file))")])
        }
        let directory = (file as NSString).deletingLastPathComponent
        let absolute = directory.hasPrefix("/")
            ? directory
            : FileManager.default.currentDirectoryPath + (directory.isEmpty ? "" : "/" + directory)
        return try load(yaml: contents, file: file, environment: environment, baseDirectory: absolute)
    }

    /// Loads and validates YAML text; `file` names it in errors, `baseDirectory` anchors relative `…_file` paths.
    public static func load(
        yaml: String, file: String?, environment: [String: String], baseDirectory: String
    ) throws(ConfigurationError) -> HubConfiguration {
        let reader = ConfigReader(file: file ?? "<defaults>", environment: environment, baseDirectory: baseDirectory)
        var configuration = ConfigurationLoader.load(yaml: yaml, reader: reader)
        configuration.file = file
        if !reader.issues.isEmpty {
            // File order; problems found at the same line (or without one) keep the order they were found in.
            let ordered = reader.issues.enumerated().sorted {
                ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset)
            }
            throw ConfigurationError(issues: ordered.map(\.element))
        }
        return configuration
    }
}
