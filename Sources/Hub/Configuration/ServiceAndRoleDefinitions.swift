import Yams

/// One entry of `JupyterHub.services`: an API client of the hub (the culler, a dashboard, …).
public struct ServiceDefinition: Sendable, Equatable {
    /// Unique name; the service is reachable at `/services/<name>/` when it has a URL.
    public var name: String
    /// Token the service authenticates with.
    public var apiToken: Secret?
    /// Where the proxy sends `/services/<name>/`.
    public var url: BindURL?
    /// Command the hub runs and supervises (a hub-managed service); empty = externally managed.
    public var command: [String] = []
    /// Environment for a hub-managed service.
    public var environment: [String: String] = [:]
    /// Listed on the hub's services menu.
    public var display = true
    /// Users are not asked to confirm OAuth access to this service.
    public var oauthNoConfirm = false
    /// OAuth client id, when the service logs users in through the hub.
    public var oauthClientID: String?
    /// OAuth redirect URI registered for that client.
    public var oauthRedirectURI: String?
    /// Legacy JupyterHub 1.x flag: gives the service the admin role.
    public var admin = false

    public init(name: String) {
        self.name = name
    }

    static var traits: [Trait<Self>] {
        [
            .string("name", \.name),
        ] + Trait.secret("api_token", \.apiToken) + [
            .optionalURL("url", \.url),
            .stringList("command", \.command, allowSingle: true),
            .stringMap("environment", \.environment),
            .bool("display", \.display),
            .bool("oauth_no_confirm", \.oauthNoConfirm),
            .optionalString("oauth_client_id", \.oauthClientID),
            .optionalString("oauth_redirect_uri", \.oauthRedirectURI),
            .bool("admin", \.admin),
        ]
    }
}

/// One entry of `JupyterHub.load_roles`: a role's scopes and who holds it.
public struct RoleDefinition: Sendable, Equatable {
    /// Role name (lower-case letters, digits, `-_~.`).
    public var name: String
    public var description: String?
    /// Scopes as written; nil = keep the role's existing scopes and only add members (built-in roles).
    /// Scope names are checked by Auth, which knows them.
    public var scopes: [String]?
    public var users: [String] = []
    public var groups: [String] = []
    public var services: [String] = []

    public init(name: String) {
        self.name = name
    }

    /// JupyterHub's built-in roles; `admin`'s scopes cannot be redefined.
    public static let builtInNames = ["admin", "user", "server", "token"]

    static var traits: [Trait<Self>] {
        [
            .string("name", \.name),
            .optionalString("description", \.description),
            .optional("scopes", \.scopes, read: { $0.stringList($1, $2) }, show: YAMLText.list),
            .stringList("users", \.users),
            .stringList("groups", \.groups),
            .stringList("services", \.services),
        ]
    }
}

extension ConfigReader {
    /// `JupyterHub.services`: a list of mappings, each with a unique, URL-safe name.
    func services(_ node: Node, _ path: String) -> [ServiceDefinition]? {
        if isNull(node) { return [] }
        guard let items = sequence(node, path) else { return nil }
        var result: [ServiceDefinition] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            var service = ServiceDefinition(name: "")
            guard mapping(item, itemPath) != nil else {
                result.append(service)
                continue
            }
            apply(ServiceDefinition.traits, section: itemPath, node: item, to: &service)
            // Entries with a bad name are still kept (the load fails anyway) so indices match the file.
            if checkName(service.name, in: item, itemPath, pattern: Self.isServiceName,
                         rule: "letters, digits, '.', '_' and '-'"),
               !seen.insert(service.name).inserted {
                fail(itemPath + ".name", item, "service \(service.name) is defined twice")
            }
            result.append(service)
        }
        return result
    }

    /// `JupyterHub.load_roles`: a list of mappings, each with a valid, unique name.
    func roles(_ node: Node, _ path: String) -> [RoleDefinition]? {
        if isNull(node) { return [] }
        guard let items = sequence(node, path) else { return nil }
        var result: [RoleDefinition] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            var role = RoleDefinition(name: "")
            guard mapping(item, itemPath) != nil else {
                result.append(role)
                continue
            }
            apply(RoleDefinition.traits, section: itemPath, node: item, to: &role)
            if checkName(role.name, in: item, itemPath, pattern: Self.isRoleName,
                            rule: "3–255 characters: a lower-case letter, then lower-case letters, digits or "
                                + "'-_~.', ending in a letter or digit"),
               !seen.insert(role.name).inserted {
                fail(itemPath + ".name", item, "role \(role.name) is defined twice")
            }
            if role.name == "admin", role.scopes != nil {
                fail(itemPath + ".scopes", item, "the built-in admin role's scopes cannot be redefined; "
                     + "list only its members")
            }
            result.append(role)
        }
        return result
    }

    private func checkName(
        _ name: String, in item: Node, _ itemPath: String, pattern: (String) -> Bool, rule: String
    ) -> Bool {
        let namePath = itemPath + ".name"
        if name.isEmpty {
            if item.mapping?["name"] == nil { fail(namePath, item, "is required") }
            return false
        }
        if !pattern(name) {
            fail(namePath, item.mapping?["name"] ?? item, "\(name) is not a valid name: use \(rule)")
            return false
        }
        return true
    }

    static func isServiceName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
    }

    /// JupyterHub's role-name rule.
    static func isRoleName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (3...255).contains(scalars.count), let first = scalars.first, let last = scalars.last else { return false }
        let lower: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) }
        let digit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        return lower(first) && (lower(last) || digit(last))
            && scalars.allSatisfy { lower($0) || digit($0) || "-_~.".unicodeScalars.contains($0) }
    }
}

extension YAMLText {
    /// Services as a block list, secrets masked.
    static func services(_ services: [ServiceDefinition]) -> String {
        if services.isEmpty { return "[]" }
        return services.map { service in
            var fields = ["name: \(scalar(service.name))"]
            if let token = service.apiToken { fields.append("api_token: \(scalar(token.description))") }
            if let url = service.url { fields.append("url: \(scalar(url.description))") }
            if !service.command.isEmpty { fields.append("command: \(list(service.command))") }
            if !service.environment.isEmpty { fields.append("environment: \(map(service.environment))") }
            if !service.display { fields.append("display: false") }
            if service.oauthNoConfirm { fields.append("oauth_no_confirm: true") }
            if let id = service.oauthClientID { fields.append("oauth_client_id: \(scalar(id))") }
            if let uri = service.oauthRedirectURI { fields.append("oauth_redirect_uri: \(scalar(uri))") }
            if service.admin { fields.append("admin: true") }
            return "\n    - {" + fields.joined(separator: ", ") + "}"
        }.joined()
    }

    /// Roles as a block list.
    static func roles(_ roles: [RoleDefinition]) -> String {
        if roles.isEmpty { return "[]" }
        return roles.map { role in
            var fields = ["name: \(scalar(role.name))"]
            if let description = role.description { fields.append("description: \(scalar(description))") }
            if let scopes = role.scopes { fields.append("scopes: \(list(scopes))") }
            if !role.users.isEmpty { fields.append("users: \(list(role.users))") }
            if !role.groups.isEmpty { fields.append("groups: \(list(role.groups))") }
            if !role.services.isEmpty { fields.append("services: \(list(role.services))") }
            return "\n    - {" + fields.joined(separator: ", ") + "}"
        }.joined()
    }
}
