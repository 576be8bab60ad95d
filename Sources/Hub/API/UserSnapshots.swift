// Loading what user models need: a page of users takes one batched query each for servers, groups and
// direct roles (never one per user: JupyterHub #4485), and every snapshot shows held activity reports.
import Foundation
import Store

extension Hub {
    /// Snapshots for a page of users, in the page's order, with held activity applied.
    /// `includeStoppedServers` loads stopped server rows too (otherwise only running or pending ones).
    func userSnapshots(_ users: [User], includeStoppedServers: Bool) async throws -> [UserSnapshot] {
        guard !users.isEmpty else { return [] }
        let ids = users.map(\.id)
        async let servers = store.servers(ofUsers: ids, activeOnly: !includeStoppedServers)
        async let groups = store.groupNames(ofUsers: ids)
        async let roles = store.roleNames(ofUsers: ids)
        let (serversByUser, groupsByUser, rolesByUser) = try await (servers, groups, roles)
        var snapshots = users.map { user in
            UserSnapshot(user: user, groups: groupsByUser[user.id] ?? [], roles: rolesByUser[user.id] ?? [],
                         servers: serversByUser[user.id] ?? [])
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
