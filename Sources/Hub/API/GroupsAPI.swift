// `/groups…`: list, create (one or several), read and delete user groups, change their members and
// replace their properties. Status codes and messages are JupyterHub 6's `apihandlers/groups.py`.
import Auth
import HTTP
import HTTPTypes
import Store

func registerGroupsAPI(into router: inout Router<APIEndpoint>) {
    let list = "jupyterhub.apihandlers.groups.GroupListAPIHandler"
    let group = "jupyterhub.apihandlers.groups.GroupAPIHandler"
    let users = "jupyterhub.apihandlers.groups.GroupUsersAPIHandler"
    let properties = "jupyterhub.apihandlers.groups.GroupPropertiesAPIHandler"
    router.add(.get, "/groups", APIEndpoint(list) { try await GroupsAPI.list($0) })
    router.add(.post, "/groups", APIEndpoint(list) { try await GroupsAPI.createMany($0) })
    router.add(.get, "/groups/{name}", APIEndpoint(group) { try await GroupsAPI.get($0) })
    router.add(.post, "/groups/{name}", APIEndpoint(group) { try await GroupsAPI.create($0) })
    router.add(.delete, "/groups/{name}", APIEndpoint(group) { try await GroupsAPI.delete($0) })
    router.add(.post, "/groups/{name}/users", APIEndpoint(users) { try await GroupsAPI.changeMembers($0, adding: true) })
    router.add(.delete, "/groups/{name}/users", APIEndpoint(users) { try await GroupsAPI.changeMembers($0, adding: false) })
    // Properties are free-form data no scope depends on: cached identities stay valid.
    router.add(.put, "/groups/{name}/properties", APIEndpoint(properties, changesIdentities: false) {
        try await GroupsAPI.replaceProperties($0)
    })
}

/// The group endpoints.
enum GroupsAPI {
    /// Keys JupyterHub's `_check_group_model` accepts in a group body (besides `groups` for bulk creation).
    static let groupBodyKeys: Set<String> = ["name", "users", "roles"]

    /// `GET /groups`: a page of the groups the caller may list (`list:groups`, `!group=` filters applied to rows).
    static func list(_ request: APIRequest) async throws -> HTTPServerResponse {
        let access = try request.listAccess(.listGroups, filterableBy: [.group])
        let page = try request.pagination()
        var only: Set<String>? = nil
        if case .only(let targets) = access { only = targets.groups }
        let result = try await request.hub.store.groups(named: only, page: page.pageRequest)
        let details = try await Self.details(of: result.items, store: request.hub.store)
        let models = request.models()
        return page.response(total: result.total, request: request) { w in
            for group in result.items {
                models.writeGroup(group, details: details[group.id] ?? GroupDetails(users: [], roles: []), to: &w)
            }
        }
    }

    /// `GET /groups/{name}`.
    static func get(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try groupName(request)
        try await request.authorize(anyOf: [.readGroups, .readGroupsName, .readRolesGroups], on: .group(name))
        let group = try await existingGroup(name, store: request.hub.store)
        return try await model(of: group, request: request, status: .ok)
    }

    /// `POST /groups/{name}` `{users?}`: 201 with the new group; 409 if it exists, 400 for unknown users.
    static func create(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try groupName(request)
        try await request.authorize(.adminGroups, on: .group(name))
        let body = try await request.jsonObject(allowed: groupBodyKeys)
        let members = try membersToCreateWith(body, urlName: name)
        let created = try await createGroups([name], members: members, request: request)
        return try await model(of: created[0], request: request, status: .created)
    }

    /// `POST /groups` `{groups: [...], users?}`: creates every group or none; 201 with their models.
    static func createMany(_ request: APIRequest) async throws -> HTTPServerResponse {
        try await request.authorize(.adminGroups)
        let body = try await request.jsonObject(allowed: groupBodyKeys.union(["groups"]))
        guard let names = try body.strings("groups"), !names.isEmpty else {
            throw HubError.badRequest("Must specify at least one group to create")
        }
        let members = try membersToCreateWith(body, urlName: nil)
        let created = try await createGroups(names, members: members, request: request)
        let details = try await Self.details(of: created, store: request.hub.store)
        let models = request.models()
        var w = JSONWriter(capacity: 128 * created.count)
        w.beginArray()
        for group in created {
            models.writeGroup(group, details: details[group.id] ?? GroupDetails(users: [], roles: []), to: &w)
        }
        w.endArray()
        return .json(w, status: .created)
    }

    /// `DELETE /groups/{name}`: 204; members lose the group's roles at once (the pipeline invalidates identities).
    static func delete(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try groupName(request)
        try await request.authorize(.deleteGroups, on: .group(name))
        do {
            try await request.hub.store.deleteGroup(named: name)
        } catch StoreError.notFound(.group, _) {
            throw noSuchGroup(name)
        }
        request.hub.logger.info("Deleting group", metadata: ["group": "\(name)"])
        return .empty(.noContent)
    }

    /// `POST|DELETE /groups/{name}/users` `{users: [...]}`: 200 with the group model; 400 for unknown users.
    static func changeMembers(_ request: APIRequest, adding: Bool) async throws -> HTTPServerResponse {
        let name = try groupName(request)
        try await request.authorize(.groups, on: .group(name))
        let store = request.hub.store
        _ = try await existingGroup(name, store: store)
        let body = try await request.jsonObject(allowed: groupBodyKeys, emptyIsEmptyObject: false)
        guard let users = try body.strings("users") else {
            throw HubError.badRequest(adding ? "Must specify users to add" : "Must specify users to delete")
        }
        // Unknown names are refused before anything changes, as JupyterHub checks them all first.
        let known = Set(try await store.users(named: users).map(\.name))
        if let missing = users.first(where: { !known.contains($0) }) { throw HubError.badRequest("No such user: \(missing)") }
        do {
            if adding {
                try await store.addMembers(users, toGroup: name)
            } else {
                try await store.removeMembers(users, fromGroup: name)
            }
        } catch StoreError.notFound(.group, _) {
            throw noSuchGroup(name)
        } catch StoreError.notFound(.user, let user) {
            throw HubError.badRequest("No such user: \(user)")  // deleted since the check above
        }
        request.hub.logger.info(adding ? "Adding users to group" : "Removing users from group",
                                metadata: ["group": "\(name)", "count": "\(users.count)"])
        let group = try await existingGroup(name, store: store)
        return try await model(of: group, request: request, status: .ok)
    }

    /// `PUT /groups/{name}/properties` with a JSON object: replaces the properties, 200 with the group model.
    static func replaceProperties(_ request: APIRequest) async throws -> HTTPServerResponse {
        let name = try groupName(request)
        try await request.authorize(.groups, on: .group(name))
        let store = request.hub.store
        var group = try await existingGroup(name, store: store)
        let body = try await request.json()
        guard case .object = body else {
            throw HubError.badRequest("Must specify properties as a JSON object, not \(body == .null ? "an empty body" : body.typeName)")
        }
        group.properties = try JSONObjectText(body.jsonText)
        do {
            try await store.updateGroup(group)
        } catch StoreError.notFound(.group, _) {
            throw noSuchGroup(name)
        }
        request.hub.logger.info("Updating properties of group", metadata: ["group": "\(name)"])
        return try await model(of: group, request: request, status: .ok)
    }

    // MARK: - Helpers

    static func groupName(_ request: APIRequest) throws(HubError) -> String {
        guard let name = request.path["name"], !name.isEmpty else { throw noSuchGroup("") }
        return name
    }

    static func noSuchGroup(_ name: String) -> HubError { HubError.notFound("No such group: \(name)") }

    static func existingGroup(_ name: String, store: Store) async throws -> Group {
        guard let group = try await store.group(named: name) else { throw noSuchGroup(name) }
        return group
    }

    /// Members named in a creation body. JupyterHub type-checks `name` and `roles` but ignores them;
    /// here a `name` other than the URL's or any `roles` is a 400, since silently dropping them misleads.
    static func membersToCreateWith(_ body: JSONObjectFields, urlName: String?) throws(HubError) -> [String] {
        if let bodyName = try body.string("name") {
            guard let urlName, bodyName == urlName else {
                throw HubError.badRequest("Field 'name' does not match the group being created; use 'groups' to name groups")
            }
        }
        if let roles = try body.strings("roles"), !roles.isEmpty {
            throw HubError.badRequest("Field 'roles' is not supported here: give groups roles with JupyterHub.load_roles")
        }
        return try body.strings("users") ?? []
    }

    static func createGroups(_ names: [String], members: [String], request: APIRequest) async throws -> [Group] {
        do {
            let created = try await request.hub.store.createGroups(named: names, members: members)
            request.hub.logger.info("Creating groups", metadata: ["groups": "\(names)", "users": "\(members.count)"])
            return created
        } catch StoreError.alreadyExists(.group, let name) {
            throw HubError.conflict("Group \(name) already exists")
        } catch StoreError.notFound(.user, let user) {
            throw HubError.badRequest("No such user: \(user)")
        }
    }

    /// Members and roles of `groups`, two queries however many groups.
    static func details(of groups: [Group], store: Store) async throws -> [GroupID: GroupDetails] {
        guard !groups.isEmpty else { return [:] }
        let ids = groups.map(\.id)
        async let members = store.memberNames(ofGroups: ids)
        async let roles = store.roleNames(ofGroups: ids)
        let (m, r) = try await (members, roles)
        var out: [GroupID: GroupDetails] = [:]
        for id in ids { out[id] = GroupDetails(users: m[id] ?? [], roles: r[id] ?? []) }
        return out
    }

    static func model(of group: Group, request: APIRequest, status: HTTPResponse.Status) async throws -> HTTPServerResponse {
        let details = try await Self.details(of: [group], store: request.hub.store)
        var w = JSONWriter(capacity: 256)
        request.models().writeGroup(group, details: details[group.id] ?? GroupDetails(users: [], roles: []), to: &w)
        return .json(w, status: status)
    }
}
