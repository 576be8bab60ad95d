// Every REST resource registers here, one line per file. Patterns are relative to `<base>hub/api`.
import HTTP

enum APIRoutes {
    static func router() -> Router<APIEndpoint> {
        var router = Router<APIEndpoint>()
        registerHubAPI(into: &router)
        registerCurrentUserAPI(into: &router)
        registerShutdownAPI(into: &router)
        registerTokensAPI(into: &router)
        registerGroupsAPI(into: &router)
        registerServicesAPI(into: &router)
        registerSharesAPI(into: &router)
        registerShareCodesAPI(into: &router)
        registerSharedAPI(into: &router)
        registerOAuthAPI(into: &router)
        registerServersAPI(into: &router)
        registerProgressAPI(into: &router)
        registerProxyAPI(into: &router)
        registerUsersAPI(into: &router)
        registerUserActivityAPI(into: &router)
        return router
    }
}
