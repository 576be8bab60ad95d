// Start-up reconciliation (contract §13): schema, roles, users, services and their tokens, role
// members, secrets. Every step is idempotent, so a restart converges on the configuration.
import Auth
import Store

extension Hub {
    /// Migrates the database and makes roles, admins, allowed users, services and secrets match the
    /// configuration; then starts background work (activity flushing).
    /// Throws `HubStartupError` (configuration → exit 2, runtime → exit 1).
    public func start() async throws(HubStartupError) {
        do {
            try store.migrate()
        } catch {
            throw HubStartupError.runtime("Database \(store.path): \(error)")
        }
        do {
            try await syncRoleDefinitions()
            let services = try await syncServices()
            try await syncUsersAndRoleMembers(services: services)
        } catch let error as HubStartupError {
            throw error
        } catch {
            throw HubStartupError.runtime("Start-up reconciliation failed: \(error)")
        }
        try loadSecrets()
        identitiesChanged()
        startBackgroundWork()
        do {
            try await servers.startUp()
        } catch {
            throw HubStartupError.runtime("Restoring servers and proxy routes failed: \(error)")
        }
        logger.info("hub started", metadata: ["roles": "\(roles.roles.count)", "services": "\(configuration.jupyterHub.services.count)"])
    }

    /// Roles are re-declared from configuration at every start; roles no longer configured are deleted.
    private func syncRoleDefinitions() async throws {
        for role in roles.roles {
            try await store.saveRole(name: role.name.rawValue, description: role.description,
                                     scopes: role.scopes.map(\.description))
        }
        let wanted = Set(roles.roles.map(\.name.rawValue))
        for stored in try await store.roles() where !wanted.contains(stored.name) {
            logger.info("deleting role no longer in configuration", metadata: ["role": "\(stored.name)"])
            try await store.deleteRole(named: stored.name)
        }
    }

    /// Services from configuration (others deleted), with their API tokens; returns them by name.
    private func syncServices() async throws -> [String: Service] {
        let adminMembers = Set(roles.members[.admin]?.services ?? [])
        var byName: [String: Service] = [:]
        for definition in configuration.jupyterHub.services {
            let service = try await store.saveService(
                name: definition.name, admin: definition.admin || adminMembers.contains(definition.name),
                url: definition.url?.description, oauthClientID: definition.oauthClientID)
            byName[service.name] = service
            if let token = definition.apiToken {
                try await syncServiceToken(token.value, for: service)
            }
        }
        for stored in try await store.services() where byName[stored.name] == nil {
            logger.info("deleting service no longer in configuration", metadata: ["service": "\(stored.name)"])
            try await store.deleteService(named: stored.name)
        }
        return byName
    }

    static let configTokenNote = "Token from configuration"

    /// Keeps exactly one configured token per service: the current one (hashed with operator rounds).
    private func syncServiceToken(_ token: String, for service: Service) async throws {
        let prefix = TokenRules.prefix(of: token)
        var current: APIToken? = nil
        for candidate in try await store.tokens(withPrefix: prefix) {
            guard let hash = try? TokenHash(parsing: candidate.hashed), hash.matches(token) else { continue }
            guard candidate.serviceID == service.id else {
                throw HubStartupError.configuration(
                    "JupyterHub.services[\(service.name)].api_token: this token already belongs to another user or service")
            }
            current = candidate
        }
        if current == nil {
            let hash = try TokenHash(hashing: token, origin: .operatorSupplied)
            current = try await store.createToken(NewAPIToken(
                prefix: prefix, hashed: hash.description, owner: .service(service.id),
                scopes: [ScopeName.inherit.rawValue], note: Self.configTokenNote))
        }
        // A rotated secret: the previous configured token stops working.
        for old in try await store.tokens(of: .service(service.id)) where old.note == Self.configTokenNote && old.id != current?.id {
            try await store.deleteToken(id: old.id)
        }
    }

    /// Creates configured users, syncs admin and blocked flags, and sets every configured role's members. Reads
    /// flags and holders once (one query per table) and writes only what differs, so a restart with 10,000 users
    /// and unchanged configuration writes nothing.
    private func syncUsersAndRoleMembers(services: [String: Service]) async throws {
        let auth = configuration.authenticator
        let adminNames = auth.adminUsers.union(roles.members[.admin]?.users ?? [])
        var needed = auth.allowedUsers.union(adminNames)
        for members in roles.members.values { needed.formUnion(members.users) }
        _ = try await store.createUsers(needed.sorted().map { NewUser(name: $0, admin: adminNames.contains($0)) })

        // Admin flags only ever granted by config (as JupyterHub: removing a name from admin_users does not
        // demote), blocked flags follow blocked_users exactly.
        let state = try await store.loadRoleReconciliationState()
        var everyone = state.users
        for index in everyone.indices {
            let flags = everyone[index]
            let admin = flags.admin || adminNames.contains(flags.name)
            let blocked = auth.blockedUsers.contains(flags.name)
            guard admin != flags.admin || blocked != flags.blocked else { continue }
            guard var user = try await store.user(id: flags.id) else { continue }
            user.admin = admin
            user.blocked = blocked
            try await store.updateUser(user)
            everyone[index].admin = admin
            everyone[index].blocked = blocked
        }
        let idsByName = Dictionary(everyone.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })

        for role in roles.roles {
            let members = roles.members[role.name]
            let groupIDs = try await groupIDs(members?.groups ?? [])
            let serviceIDs = try (members?.services ?? []).map { name throws(HubStartupError) -> ServiceID in
                guard let service = services[name] else {
                    throw HubStartupError.configuration(
                        "JupyterHub.load_roles[\(role.name)].services: service '\(name)' is not defined in JupyterHub.services")
                }
                return service.id
            }
            let wanted: RoleHolderIDs
            switch role.name {
            case .admin:
                wanted = RoleHolderIDs(users: Set(everyone.filter(\.admin).map(\.id)), groups: Set(groupIDs),
                                       services: Set(services.values.filter(\.admin).map(\.id)))
            case .user:
                wanted = RoleHolderIDs(users: Set(everyone.map(\.id)), groups: Set(groupIDs), services: Set(serviceIDs))
            default:
                // Built-in roles not listed in load_roles keep their holders (server/token hold none).
                guard let members else { continue }
                wanted = RoleHolderIDs(users: Set(members.users.compactMap { idsByName[$0] }), groups: Set(groupIDs),
                                       services: Set(serviceIDs))
            }
            guard wanted != state.holders[role.name.rawValue] ?? RoleHolderIDs() else { continue }
            try await store.setRoleHolders(role.name.rawValue, users: wanted.users.sorted(), groups: wanted.groups.sorted(),
                                           services: wanted.services.sorted())
        }
    }

    /// Ids of the named groups, creating missing ones (as JupyterHub does for `load_roles`).
    private func groupIDs(_ names: [String]) async throws -> [GroupID] {
        var ids: [GroupID] = []
        for name in names {
            if let group = try await store.group(named: name) { ids.append(group.id); continue }
            ids.append(try await store.createGroup(name: name).id)
        }
        return ids
    }

    /// Cookie secret (value, `JPY_COOKIE_SECRET`, or the file, created if missing) and crypt keys.
    private func loadSecrets() throws(HubStartupError) {
        let settings = configuration.jupyterHub
        let secret: CookieSecret
        do {
            if let configured = settings.cookieSecret {
                secret = try CookieSecret(hex: configured.value, source: "JupyterHub.cookie_secret")
            } else if let env = environment["JPY_COOKIE_SECRET"], !env.isEmpty {
                secret = try CookieSecret(hex: env, source: "JPY_COOKIE_SECRET")
            } else {
                secret = try CookieSecret.loadOrCreate(path: settings.cookieSecretFile)
            }
        } catch {
            throw HubStartupError.configuration("JupyterHub.cookie_secret_file: \(error)")
        }
        var box: SecretBox? = nil
        let keys = configuration.cryptKeeper.keys.map(\.value)
        if !keys.isEmpty {
            do { box = try SecretBox(environmentValue: keys.joined(separator: ";")) } catch {
                throw HubStartupError.configuration("CryptKeeper.keys: \(error)")
            }
        }
        install(cookieSecret: secret, secretBox: box)
    }
}
