import Foundation
import Store
import Testing
@testable import Hub

/// Parses a JSON literal.
private func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

/// Two configured services: a proxied dashboard run by the hub, and the culler (API only).
private let servicesYAML = """
    JupyterHub:
      services:
        - name: dashboard
          api_token: dashboard-secret-token-1
          url: http://127.0.0.1:9000
          command: [python3, -m, dashboard]
          display: false
        - name: culler
          api_token: culler-secret-token-1234
      load_roles:
        - name: culler
          scopes: [list:users, read:users:activity, read:servers, delete:servers]
          services: [culler]
        - name: dashboard-only
          scopes: [list:services!service=dashboard, read:services!service=dashboard]
          users: [watcher]
        - name: names-only
          scopes: [read:services:name]
          users: [namer]
        - name: service-roles
          scopes: [read:roles:services]
          users: [auditor]
        - name: odd-filter
          scopes: [list:services!user=odd]
          users: [odd]
    """
// Users named in load_roles (watcher, namer, auditor, odd) are created by the hub at start.

@Suite("Services API: /services…")
struct ServicesAPITests {
    @Test("listing: a dict name → full model for an admin (no pagination, even when asked)")
    func list() async throws {
        try await withHub(yaml: servicesYAML) { h in
            try await h.createUser("root", admin: true)
            let root = try await h.token(for: "root")
            let r = try await h.request(.get, "/hub/api/services", token: root,
                                        headers: [.accept: "application/jupyterhub-pagination+json"])
            #expect(r.status == 200)
            #expect(r.json == (try json("""
                {"dashboard": {"kind": "service", "name": "dashboard", "admin": false, "roles": [],
                               "url": "http://127.0.0.1:9000/", "prefix": "/services/dashboard/",
                               "command": ["python3", "-m", "dashboard"], "pid": 0, "info": {}, "display": false},
                 "culler": {"kind": "service", "name": "culler", "admin": false, "roles": ["culler"],
                            "url": "", "prefix": "", "command": [], "pid": 0, "info": {}, "display": true}}
                """)), "\(r.text)")
        }
    }

    @Test("list scope matrix: !service= filters rows, other filters match nothing, no list:services is 403")
    func listScopes() async throws {
        try await withHub(yaml: servicesYAML) { h in
            try await h.createUser("plain")
            let watcher = try await h.request(.get, "/hub/api/services", token: try await h.token(for: "watcher"))
            #expect(watcher.status == 200 && watcher.json?.objectValue?.keys.sorted() == ["dashboard"])
            #expect(watcher.json?["dashboard"]?["url"] == .string("http://127.0.0.1:9000/"))
            let odd = try await h.request(.get, "/hub/api/services", token: try await h.token(for: "odd"))
            #expect(odd.status == 200 && odd.json == .object([:]))
            let plain = try await h.request(.get, "/hub/api/services", token: try await h.token(for: "plain"))
            #expect(plain.status == 403 && plain.json?["message"]?.stringValue?.contains("list:services") == true)
            #expect(try await h.request(.get, "/hub/api/services").status == 403)
            // A service sees nothing of others without a services scope.
            #expect(try await h.request(.get, "/hub/api/services", token: "culler-secret-token-1234").status == 403)
        }
    }

    @Test("one service: fields by scope (name, roles, full), 404 for unknown or out-of-filter, 403 without scope")
    func getOne() async throws {
        try await withHub(yaml: servicesYAML) { h in
            try await h.createUser("root", admin: true)
            try await h.createUser("plain")
            let named = try await h.request(.get, "/hub/api/services/culler", token: try await h.token(for: "namer"))
            #expect(named.json == (try json(#"{"kind": "service", "name": "culler", "admin": false}"#)))
            let roles = try await h.request(.get, "/hub/api/services/culler", token: try await h.token(for: "auditor"))
            #expect(roles.json == (try json(#"{"kind": "service", "name": "culler", "admin": false, "roles": ["culler"]}"#)))
            let full = try await h.request(.get, "/hub/api/services/dashboard", token: try await h.token(for: "watcher"))
            #expect(full.status == 200 && full.json?["prefix"] == .string("/services/dashboard/") && full.json?["roles"] == nil)
            let outside = try await h.request(.get, "/hub/api/services/culler", token: try await h.token(for: "watcher"))
            #expect(outside.status == 404 && outside.json?["message"] == .null)
            let missing = try await h.request(.get, "/hub/api/services/nope", token: try await h.token(for: "root"))
            #expect(missing.status == 404 && missing.json?["message"] == .string("No such service: nope"))
            #expect(try await h.request(.get, "/hub/api/services/culler", token: try await h.token(for: "plain")).status == 403)
            // Runtime service management is not offered: the router answers 405.
            #expect(try await h.request(.post, "/hub/api/services/new", token: try await h.token(for: "root")).status == 405)
        }
    }

    @Test("an admin service sees itself as admin with the admin role")
    func adminService() async throws {
        try await withHub(yaml: """
            JupyterHub:
              services:
                - {name: ops, api_token: ops-secret-token-5678, admin: true}
            """) { h in
            let r = try await h.request(.get, "/hub/api/services/ops", token: "ops-secret-token-5678")
            #expect(r.status == 200)
            #expect(r.json?["admin"] == .bool(true) && r.json?["roles"] == .array([.string("admin")]))
        }
    }
}
