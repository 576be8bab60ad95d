// The group model and its field visibility: `read:groups` shows members and properties,
// `read:groups:name` only the name, `read:roles:groups` the roles (JupyterHub's group access map).
import Auth
import Store

/// What the group model shows besides its row: member and role names.
public struct GroupDetails: Sendable, Equatable {
    /// Member user names, by user id.
    public var users: [String]
    /// Names of roles the group holds.
    public var roles: [String]

    public init(users: [String], roles: [String]) {
        self.users = users; self.roles = roles
    }
}

extension ModelEncoder {
    /// Whether the caller may see anything of group `name` (a list omits groups that give an empty model).
    public func canSeeGroup(named name: String) -> Bool {
        [ScopeName.readGroups, .readGroupsName, .readRolesGroups].contains { holds($0, group: name) }
    }

    /// Writes the group model with only the keys the caller may see.
    public func writeGroup(_ group: Group, details: GroupDetails, to w: inout JSONWriter) {
        let full = holds(.readGroups, group: group.name)
        let name = full || holds(.readGroupsName, group: group.name)
        let roles = holds(.readRolesGroups, group: group.name)
        w.beginObject()
        if name || roles {
            w.key("kind"); w.string("group")
            w.key("name"); w.string(group.name)
        }
        if roles { w.key("roles"); w.strings(details.roles) }
        if full {
            w.key("users"); w.strings(details.users)
            // Stored text was validated as a JSON object on the way in.
            w.key("properties"); w.rawJSON(group.properties.text)
        }
        w.endObject()
    }

    private func holds(_ scope: ScopeName, group: String) -> Bool {
        (try? scopes.has(scope, on: .group(group), membership: PrefetchedMembership.empty)) == true
    }
}
