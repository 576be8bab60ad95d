// One REST endpoint: JupyterHub's handler class name (the `handler` label of /hub/metrics) and the
// code that answers it.
import HTTP

/// A registered API handler.
public struct APIEndpoint: Sendable {
    /// JupyterHub's Python class path, e.g. `jupyterhub.apihandlers.users.UserListAPIHandler`.
    public let name: String
    /// Whether a request may change what tokens are allowed to do (roles, groups, users, tokens,
    /// shares, servers). nil = any method other than GET/HEAD does. Drives identity-cache invalidation.
    public let changesIdentities: Bool?
    let run: @Sendable (APIRequest) async throws -> HTTPServerResponse

    /// An endpoint named `name` answering with `run`.
    public init(_ name: String, changesIdentities: Bool? = nil,
                _ run: @escaping @Sendable (APIRequest) async throws -> HTTPServerResponse) {
        self.name = name
        self.changesIdentities = changesIdentities
        self.run = run
    }

    /// The handler name for paths no endpoint matches.
    public static let notFoundName = "jupyterhub.apihandlers.base.API404"
}
