// `pawshub token USER [-f FILE] [--scopes a,b] [--note N]`: print a new API token for a user, like
// `jupyterhub token` (which creates the user when missing).
import Auth
import Logging
import Store

/// The logic of `pawshub token`.
public enum TokenTool {
    /// Creates the user if needed and prints a new token with `scopes` (default: inherit the user's).
    public static func run(user name: String, file: String?, scopes: [String], note: String?,
                           environment: [String: String], logger: Logger = Logger(label: "pawshub.token")) async -> CommandOutcome {
        guard !name.isEmpty else { return .configurationError("pawshub token: the user name must not be empty") }
        let configuration: HubConfiguration
        do {
            configuration = try HubConfiguration.load(file: file, environment: environment)
        } catch {
            return .configurationError(error.description)
        }
        let requested = scopes.isEmpty ? [ScopeName.inherit.rawValue] : scopes
        let parsed: [Scope]
        do { parsed = try Scope.parseAll(requested) } catch {
            return .configurationError("pawshub token --scopes: \(error)")
        }
        let path = configuration.jupyterHub.databaseURL.path
        do {
            let store = try Store(path: path)
            try store.migrate()
            let hub = try Hub(configuration: configuration, store: store, environment: environment, logger: logger)
            let user: User
            if let existing = try await store.user(named: name) {
                user = existing
            } else {
                // The `user` role must exist before it can be assigned on a fresh database.
                if try await store.role(named: RoleName.user.rawValue) == nil {
                    try await store.saveRole(name: RoleName.user.rawValue, description: nil,
                                             scopes: hub.roles.role(named: .user)?.scopes.map(\.description) ?? ["self"])
                }
                guard let created = try await hub.createUsers([name]).first else {
                    return .failure("Could not create user \(name)")
                }
                user = created
            }
            let snapshot = try await hub.userSnapshot(user)
            let owned = try await hub.userScopes(snapshot, viaGroupShares: false)
            do {
                try hub.scopeHierarchy.checkRequestedTokenScopes(
                    parsed, owner: .user(name), ownerName: name, ownerScopes: owned,
                    membership: PrefetchedMembership(groupsByUser: [name: Set(snapshot.groups)]))
            } catch {
                return .configurationError("pawshub token --scopes: \(error)")
            }
            let issued = try await hub.issueToken(owner: .user(user.id), scopes: requested,
                                                  note: note ?? "Requested via pawshub token")
            return CommandOutcome(exitCode: 0, output: issued.token + "\n")
        } catch let error as HubStartupError {
            if case .configuration = error { return .configurationError(error.description) }
            return .failure(error.description)
        } catch {
            return .failure("Database \(path): \(error)")
        }
    }
}
