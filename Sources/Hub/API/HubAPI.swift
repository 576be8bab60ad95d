// `GET /hub/api` (version, no auth, CORS *), `GET /hub/api/info` (read:hub) and the health check.
import Auth
import Foundation
import HTTP
import HTTPTypes

/// Facts about this build reported by the API.
public enum HubAPI {
    /// PawsHub's own version (authenticator and spawner `version` in `/info`).
    public static let pawsHubVersion = "0.1.0"
    /// JupyterHub's handler name for both health URLs.
    public static let healthHandlerName = "jupyterhub.handlers.pages.HealthCheckHandler"

    /// The Python class path JupyterHub deployments know each authenticator by.
    static func className(_ authenticator: AuthenticatorClass) -> String {
        switch authenticator {
        case .mediawiki: return "mwoauthenticator.mwoauthenticator.MWOAuthenticator"
        case .mediawikiOAuth2: return "oauthenticator.mediawiki.MediaWikiOAuthenticator"
        case .dummy: return "jupyterhub.auth.DummyAuthenticator"
        }
    }

    /// The Python class path JupyterHub deployments know each spawner by.
    static func className(_ spawner: SpawnerClass) -> String {
        switch spawner {
        case .kubernetes: return "kubespawner.spawner.KubeSpawner"
        case .local: return "jupyterhub.spawner.LocalProcessSpawner"
        }
    }
}

func registerHubAPI(into router: inout Router<APIEndpoint>) {
    router.add(.get, "/", APIEndpoint("jupyterhub.apihandlers.hub.RootAPIHandler") { _ in
        var w = JSONWriter()
        w.beginObject(); w.key("version"); w.string(Hub.jupyterHubVersion); w.endObject()
        var response = HTTPServerResponse.json(w)
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    })

    router.add(.get, "/info", APIEndpoint("jupyterhub.apihandlers.hub.InfoAPIHandler") { request in
        try await request.authorize(.readHub)
        let settings = request.hub.configuration.jupyterHub
        var w = JSONWriter()
        w.beginObject()
        w.key("version"); w.string(Hub.jupyterHubVersion)
        w.key("python"); w.string("")  // no Python here; the key stays for clients that read it
        w.key("sys_executable"); w.string(Bundle.main.executablePath ?? CommandLine.arguments.first ?? "")
        w.key("authenticator"); w.beginObject()
        w.key("class"); w.string(HubAPI.className(settings.authenticatorClass))
        w.key("version"); w.string(HubAPI.pawsHubVersion)
        w.endObject()
        w.key("spawner"); w.beginObject()
        w.key("class"); w.string(HubAPI.className(settings.spawnerClass))
        w.key("version"); w.string(HubAPI.pawsHubVersion)
        w.endObject()
        w.endObject()
        return .json(w)
    })

    router.add(.get, "/health", APIEndpoint(HubAPI.healthHandlerName) { _ in HTTPServerResponse(status: .ok) })
}
