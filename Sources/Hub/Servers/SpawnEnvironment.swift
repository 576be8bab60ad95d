// Every JUPYTERHUB_* variable a single-user server reads (contract §8), built in one place so every spawner
// hands the same environment to `jupyterhub-singleuser` 4.x and 6.x. Values match JupyterHub's `get_env`,
// including Python's `json.dumps` spacing in the scope lists.
import Auth
import Foundation
import Spawners

/// Builds the hub side of a spawn: environment, scopes and URLs for one server.
struct SpawnEnvironment: Sendable {
    /// Variables copied from the hub's own environment when present (JupyterHub's `env_keep`); anything else
    /// (notably `CONFIGPROXY_AUTH_TOKEN`) stays out of single-user servers.
    static let keptVariables = ["PATH", "PYTHONPATH", "CONDA_ROOT", "CONDA_DEFAULT_ENV", "VIRTUAL_ENV", "LANG",
                                "LC_ALL", "JUPYTERHUB_SINGLEUSER_APP"]

    let configuration: HubConfiguration
    /// The hub process's environment.
    let hubEnvironment: [String: String]

    var urls: HubURLs { HubURLs(baseURL: configuration.jupyterHub.baseURL) }

    /// `http://hub:8081/hub/api`: the hub API as servers reach it, no trailing slash.
    var apiURL: String {
        let connect = configuration.jupyterHub.effectiveHubConnectURL
        let host = connect.host.contains(":") ? "[\(connect.host)]" : connect.host
        return "\(connect.scheme)://\(host):\(connect.port)\(configuration.jupyterHub.baseURL)hub/api"
    }

    /// The scopes a browser token for this server must carry (`JUPYTERHUB_OAUTH_ACCESS_SCOPES`).
    static func accessScopes(user: String, server: String) -> [String] {
        ["access:servers!server=\(user)/\(server)", "access:servers!user=\(user)"]
    }

    /// The server token's scopes: the `server` role's (`users:activity!user`, `access:servers!server`) with the
    /// filters filled in for this server.
    static func serverTokenScopes(user: String, server: String) -> [String] {
        ["access:servers!server=\(user)/\(server)", "users:activity!user=\(user)"]
    }

    /// `Server at /user/alice/`: the note on the server's token and the description of its OAuth client.
    func note(user: String, server: String) -> String {
        "Server at \(urls.serverURL(user: user, server: server))"
    }

    /// The environment for `user`'s server `server` holding `token`.
    func variables(user: String, server: String, token: String) -> [String: String] {
        let hub = configuration.jupyterHub
        let spawner = configuration.spawner
        let prefix = urls.serverURL(user: user, server: server)
        var env: [String: String] = [:]
        for name in Self.keptVariables { if let value = hubEnvironment[name] { env[name] = value } }
        env["JUPYTERHUB_API_TOKEN"] = token
        env["JPY_API_TOKEN"] = token
        if hub.adminAccess { env["JUPYTERHUB_ADMIN_ACCESS"] = "1" }
        env["JUPYTERHUB_CLIENT_ID"] = OAuthClientIDs.forServer(ServerRef(user: user, name: server))
        // No subdomains or public URL in PawsHub: relative redirects, as JupyterHub without public_url.
        env["JUPYTERHUB_HOST"] = ""
        env["JUPYTERHUB_PUBLIC_URL"] = ""
        env["JUPYTERHUB_PUBLIC_HUB_URL"] = ""
        env["JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED"] = "0"
        env["JUPYTERHUB_OAUTH_CALLBACK_URL"] = prefix + "oauth_callback"
        let access = Self.pythonJSONList(Self.accessScopes(user: user, server: server))
        env["JUPYTERHUB_OAUTH_SCOPES"] = access
        env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"] = access
        env["JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES"] = "[]"
        env["JUPYTERHUB_USER"] = user
        env["JUPYTERHUB_SERVER_NAME"] = server
        env["JUPYTERHUB_API_URL"] = apiURL
        env["JUPYTERHUB_ACTIVITY_URL"] = apiURL + "/users/" + HubURLs.escape(user) + "/activity"
        env["JUPYTERHUB_BASE_URL"] = hub.baseURL
        env["JUPYTERHUB_SERVICE_PREFIX"] = prefix
        env["JUPYTERHUB_SERVICE_URL"] = "http://\(Self.urlHost(spawner.ip)):\(spawner.port)\(prefix)"
        if let limit = spawner.memLimit { env["MEM_LIMIT"] = String(limit.bytes) }
        if let guarantee = spawner.memGuarantee { env["MEM_GUARANTEE"] = String(guarantee.bytes) }
        if let limit = spawner.cpuLimit { env["CPU_LIMIT"] = Self.pythonFloat(limit) }
        if let guarantee = spawner.cpuGuarantee { env["CPU_GUARANTEE"] = Self.pythonFloat(guarantee) }
        if let directory = spawner.notebookDir { env["JUPYTERHUB_ROOT_DIR"] = Self.format(directory, user: user, prefix: prefix) }
        if let url = spawner.defaultURL ?? hub.defaultURL { env["JUPYTERHUB_DEFAULT_URL"] = Self.format(url, user: user, prefix: prefix) }
        if spawner.debug { env["JUPYTERHUB_DEBUG"] = "1" }
        if spawner.disableUserConfig { env["JUPYTERHUB_DISABLE_USER_CONFIG"] = "1" }
        return env
    }

    /// The whole spawn request for the spawner.
    func context(user: String, server: String, token: String, userOptions: String, templateValues: [String: String]) -> SpawnContext {
        let spawner = configuration.spawner
        return SpawnContext(
            userName: user, serverName: server, prefix: urls.serverURL(user: user, server: server),
            hubEnvironment: variables(user: user, server: server, token: token),
            operatorEnvironment: spawner.environment, command: spawner.cmd, arguments: spawner.args,
            bindHost: spawner.ip, bindPort: spawner.port,
            limits: ResourceLimits(memLimit: spawner.memLimit.map(\.bytes),
                                   memGuarantee: spawner.memGuarantee.map(\.bytes),
                                   cpuLimit: spawner.cpuLimit, cpuGuarantee: spawner.cpuGuarantee),
            userOptions: userOptions, startTimeout: spawner.startTimeout, templateValues: templateValues)
    }

    /// `["a", "b"]`: Python's `json.dumps` spacing, which single-user servers do not care about but operators
    /// comparing environments with a JupyterHub deployment do.
    static func pythonJSONList(_ items: [String]) -> String {
        var writer = JSONWriter()
        writer.strings(items)
        return writer.text.replacingOccurrences(of: "\",\"", with: "\", \"")
    }

    /// `1.0`, `0.5`: how Python prints the float traits.
    static func pythonFloat(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : String(value)
    }

    /// `{username}` and `{base_url}` expanded, as JupyterHub's `format_string` does for these two traits.
    static func format(_ template: String, user: String, prefix: String) -> String {
        template.replacingOccurrences(of: "{username}", with: user).replacingOccurrences(of: "{base_url}", with: prefix)
    }

    static func urlHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}
