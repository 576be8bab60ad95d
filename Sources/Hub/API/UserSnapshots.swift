// Loading what user models need: a page of users takes one batched query each for servers, groups and
// direct roles (never one per user: JupyterHub #4485), and every snapshot shows held activity reports.
import Foundation
import Store

extension Hub {
    /// Snapshots for a page of users, in the page's order, with held activity applied.
    /// `includeStoppedServers` loads stopped server rows too (otherwise only running or pending ones).
    func userSnapshots(_ users: [User], includeStoppedServers: Bool) async throws -> [UserSnapshot] {
        guard !users.isEmpty else { return [] }
        let views = try await store.userViews(ids: users.map(\.id))
        var byID: [UserID: UserView] = [:]
        for view in views { byID[view.user.id] = view }
        return snapshots(users.map { user in
            let view = byID[user.id]
            return UserView(user: user, groups: view?.groups ?? [], roles: view?.roles ?? [], servers: view?.servers ?? [])
        }, includeStoppedServers: includeStoppedServers)
    }

    /// Snapshots of views from the user directory (stopped servers dropped unless asked for), with held activity.
    func snapshots(_ views: [UserView], includeStoppedServers: Bool) -> [UserSnapshot] {
        var snapshots = views.map { view in
            UserSnapshot(user: view.user, groups: view.groups, roles: view.roles,
                         servers: includeStoppedServers || view.servers.allSatisfy(\.isActive)
                             ? view.servers : view.servers.filter(\.isActive))
        }
        reportedActivity.apply(to: &snapshots)
        return snapshots
    }

    /// One user's snapshot (all server rows) with held activity applied.
    func currentSnapshot(_ user: User) async throws -> UserSnapshot {
        var snapshot = try await userSnapshot(user)
        reportedActivity.apply(to: &snapshot)
        return snapshot
    }

    /// The user's decrypted `auth_state`, or null when there is none or it cannot be decrypted (logged, as
    /// JupyterHub does: a rotated-away key must not break the user model).
    func decryptedAuthState(of user: User) -> JSONValue {
        guard let sealed = user.encryptedAuthState else { return .null }
        guard let box = secretBox else {
            logger.warning("auth_state is stored but no crypt key is configured", metadata: ["user": "\(user.name)"])
            return .null
        }
        do {
            return try JSONValue.parse(try box.open(Array(sealed)))
        } catch {
            logger.warning("could not decrypt auth_state", metadata: ["user": "\(user.name)", "error": "\(error)"])
            return .null
        }
    }

    /// `auth_state` sealed for storage; 400 when no crypt key is configured (JupyterHub cannot store it either).
    func sealAuthState(_ state: [String: JSONValue]) throws -> Data {
        guard let box = secretBox else {
            throw HubError.badRequest("Cannot set auth_state: encryption is not configured (set JUPYTERHUB_CRYPT_KEY)")
        }
        return Data(try box.seal(Array(JSONValue.object(state).jsonText.utf8)))
    }
}

extension Identity {
    /// Whether the caller's owner is a hub admin (JupyterHub's `current_user.admin`, for granting admin rights).
    var isAdmin: Bool {
        switch owner {
        case .user(let snapshot): return snapshot.user.admin
        case .service(let service): return service.admin
        }
    }
}
