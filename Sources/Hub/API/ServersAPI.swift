// `/users/{name}/server` and `/users/{name}/servers/{server_name}`: read, create, start, edit, stop and remove
// single-user servers (JupyterHub's UserServerAPIHandler). Start/stop answer empty `text/plain` 201/202/204;
// create and edit answer the server model.
import Auth
import HTTP
import HTTPTypes
import Store

func registerServersAPI(into router: inout Router<APIEndpoint>) {
    let name = "jupyterhub.apihandlers.users.UserServerAPIHandler"
    // Starting and creating servers changes no existing token's rights (a new server token is not cached yet),
    // so they leave the identity cache alone; the manager invalidates it itself when it deletes credentials or
    // rows. A storm of starts would otherwise make every concurrent request re-resolve its token.
    for pattern in ["/users/{name}/server", "/users/{name}/servers/{server_name}"] {
        router.add(.get, pattern, APIEndpoint(name) { try await ServersAPI(request: $0).get() })
        router.add(.post, pattern, APIEndpoint(name, changesIdentities: false) { try await ServersAPI(request: $0).post() })
        router.add(.delete, pattern, APIEndpoint(name, changesIdentities: false) { try await ServersAPI(request: $0).delete() })
    }
    router.add(.put, "/users/{name}/servers/{server_name}", APIEndpoint(name, changesIdentities: false) { try await ServersAPI(request: $0).put() })
    router.add(.patch, "/users/{name}/servers/{server_name}", APIEndpoint(name) { try await ServersAPI(request: $0).patch() })
}

/// One request to the servers API.
struct ServersAPI {
    let request: APIRequest
    let userName: String
    let serverName: String

    init(request: APIRequest) {
        self.request = request
        self.userName = request.path["name"] ?? ""
        self.serverName = request.path["server_name"] ?? ""
    }

    var hub: Hub { request.hub }
    var ref: ServerRef { ServerRef(user: userName, name: serverName) }
    var rules: NamedServerRules { NamedServerRules(configuration: hub.configuration) }

    /// The owner, after the scope check (404 when missing, as when not visible).
    func owner(_ scope: ScopeName) async throws -> User {
        try await request.authorize(scope, on: .server(ref))
        guard let user = try await hub.store.user(named: userName) else { throw HubError.notFound() }
        return user
    }

    func model(_ row: Server, status: HTTPResponse.Status = .ok) -> HTTPServerResponse {
        var w = JSONWriter(capacity: 512)
        request.models().writeServer(row, owner: userName, to: &w)
        return .json(w, status: status)
    }

    // MARK: - Endpoints

    /// `GET`: the server model (6.0). The default server always exists, as in JupyterHub.
    func get() async throws -> HTTPServerResponse {
        let user = try await owner(.readServers)
        if let row = try await hub.store.server(userID: user.id, name: serverName) { return model(row) }
        guard serverName.isEmpty else { throw HubError.notFound() }
        return model(try await hub.servers.ensureRow(user: user, serverName: "", displayName: nil))
    }

    /// `PUT`: creates a named server without starting it; 409 when it exists.
    func put() async throws -> HTTPServerResponse {
        let user = try await owner(.startServers)
        let existing = try await hub.store.servers(ofUser: user.id)
        if existing.contains(where: { $0.name == serverName }) {
            throw HubError.conflict("User \(user.name) already has server \(serverName)")
        }
        let body = try ServerStartBody(try await request.json())
        let displayName = try rules.check(user: user, serverName: serverName,
                                          displayName: body.displayName.flatMap { $0.isEmpty ? nil : $0 } ?? serverName,
                                          existing: existing)
        var options = JSONObjectText.empty
        if let userOptions = body.userOptions { options = try JSONObjectText(userOptions.jsonText) }
        do {
            let row = try await hub.store.createServer(NewServer(userID: user.id, name: serverName,
                                                                 displayName: displayName, userOptions: options))
            return model(row, status: .created)
        } catch StoreError.alreadyExists {
            throw HubError.conflict("User \(user.name) already has server \(serverName)")
        }
    }

    /// `POST`: starts the server (creating a named one); 201 ready, 202 still starting.
    func post() async throws -> HTTPServerResponse {
        let user = try await owner(.startServers)
        let body = try ServerStartBody(try await request.json())
        var displayName: String?
        if !serverName.isEmpty {
            let existing = try await hub.store.servers(ofUser: user.id)
            displayName = try rules.check(user: user, serverName: serverName,
                                          displayName: body.displayName.flatMap { $0.isEmpty ? nil : $0 } ?? serverName,
                                          existing: existing)
            // Only an explicit display name changes a stored one.
            if body.displayName?.isEmpty ?? true, existing.contains(where: { $0.name == serverName }) { displayName = nil }
        }
        switch try await hub.servers.start(user: user, serverName: serverName, displayName: displayName,
                                           userOptions: body.userOptions) {
        case .ready: return .empty(.created)
        case .pending: return .empty(.accepted)
        }
    }

    /// `PATCH`: renames a stopped server or changes its display name or options; answers its model.
    func patch() async throws -> HTTPServerResponse {
        let user = try await owner(.startServers)
        let body = try await request.json()
        guard case .object(let members) = body else {
            throw HubError.badRequest(body == .null ? "Must specify at least one field to modify." : "Body must be a JSON object")
        }
        if members.isEmpty { throw HubError.badRequest("Must specify at least one field to modify.") }
        let supported: Set<String> = ["name", "display_name", "user_options"]
        let unexpected = Set(members.keys).subtracting(supported)
        if !unexpected.isEmpty {
            throw HubError.badRequest("Unexpected fields: \(unexpected.sorted().joined(separator: ", ")), "
                                      + "supported fields: \(supported.sorted().joined(separator: ", "))")
        }
        let newName = try Self.optionalString(members, "name")
        let givenDisplayName = try Self.optionalString(members, "display_name")
        let existing = try await hub.store.servers(ofUser: user.id)
        var displayName = givenDisplayName ?? newName
        if let newName {
            displayName = try rules.check(user: user, serverName: newName, displayName: displayName ?? newName,
                                          existing: existing, checkLimit: serverName.isEmpty)
        } else if let given = displayName, !given.isEmpty {
            displayName = try rules.check(user: user, serverName: serverName, displayName: given,
                                          existing: existing, checkLimit: false)
        }
        guard var row = existing.first(where: { $0.name == serverName }) else {
            throw HubError.notFound("User \(user.name) has no such server \(serverName)")
        }
        if row.isActive || hub.servers.pending(userID: user.id, serverName: serverName) != nil {
            throw HubError.badRequest("\(ServerNaming.logName(user: user.name, server: serverName)) is active. "
                                      + "Please stop it before modifying it.")
        }
        if let newName {
            if existing.contains(where: { $0.name == newName }) {
                throw HubError.conflict("User \(user.name) already has server '\(newName)'")
            }
            row.name = newName
            hub.servers.forget(userID: user.id, serverName: serverName)
        }
        if let options = members["user_options"] {
            guard case .object = options else { throw HubError.badRequest("user_options must be a dict") }
            row.userOptions = try JSONObjectText(options.jsonText)
        }
        if let givenDisplayName, !givenDisplayName.isEmpty, let displayName { row.displayName = displayName }
        do {
            try await hub.store.updateServer(row)
        } catch StoreError.alreadyExists {
            throw HubError.conflict("User \(user.name) already has server '\(row.name)'")
        }
        return model(row)
    }

    /// `DELETE`: stops the server; `{"remove": true}` also deletes a named server. 204 stopped, 202 stopping.
    func delete() async throws -> HTTPServerResponse {
        let user = try await owner(.deleteServers)
        let body = try await request.json()
        var remove = false
        switch body {
        case .null: break
        case .object(let members):
            if let value = members["remove"] {
                guard case .bool(let flag) = value else { throw HubError.badRequest("remove must be a boolean") }
                remove = flag
            }
        default: throw HubError.badRequest("Body must be a JSON object")
        }
        if !serverName.isEmpty {
            guard hub.configuration.jupyterHub.allowNamedServers else {
                throw HubError.badRequest("Named servers are not enabled.")
            }
            guard try await hub.store.server(userID: user.id, name: serverName) != nil else {
                throw HubError.notFound("\(user.name) has no server named '\(serverName)'")
            }
        } else if remove {
            throw HubError.badRequest("Cannot delete the default server")
        }
        switch try await hub.servers.stop(user: user, serverName: serverName, remove: remove) {
        case .stopped: return .empty(.noContent)
        case .pending: return .empty(.accepted)
        }
    }

    static func optionalString(_ members: [String: JSONValue], _ key: String) throws(HubError) -> String? {
        guard let value = members[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw HubError.badRequest("\(key) must be a string") }
        return text
    }
}
