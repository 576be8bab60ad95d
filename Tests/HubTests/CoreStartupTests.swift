import Store
import Testing
@testable import Hub

@Suite("Start-up reconciliation")
struct CoreStartupTests {
    static let yaml = """
        JupyterHub:
          services:
            - name: culler
              api_token: culler-token-0001
            - name: ops
              api_token: ops-token-00000001
          load_roles:
            - name: admin
              services: [ops]
            - name: culler
              scopes: [list:users, read:users:activity]
              services: [culler]
              users: [carol]
              groups: [watchers]
        Authenticator:
          admin_users: [root]
          allowed_users: [alice, bob]
        """

    @Test("roles, admins, allowed users, services and their tokens are written, and a restart changes nothing")
    func startupSync() async throws {
        try await withHub(yaml: Self.yaml, databaseFile: true) { h in
            for pass in 1...2 {
                if pass == 2 { try await h.hub.start() }
                let root = try #require(try await h.store.user(named: "root"))
                #expect(root.admin)
                #expect(try await h.store.user(named: "alice") != nil)
                #expect(try await h.store.user(named: "carol") != nil)
                let admins = try await h.store.holders(ofRole: "admin")
                #expect(admins.users == ["root"])
                #expect(admins.services == ["ops"])
                let culler = try await h.store.holders(ofRole: "culler")
                #expect(culler.users == ["carol"])
                #expect(culler.groups == ["watchers"])
                #expect(culler.services == ["culler"])
                let roleNames = Set(try await h.store.roles().map(\.name))
                #expect(roleNames == ["user", "admin", "server", "token", "culler"])
                let ops = try #require(try await h.store.service(named: "ops"))
                #expect(ops.admin)
                #expect(try await h.store.tokens(of: .service(ops.id)).count == 1)
                let who = try await h.request(.get, "/hub/api/user", token: "ops-token-00000001")
                #expect(who.json?["name"] == .string("ops"))
                #expect(try await h.request(.get, "/hub/api/info", token: "ops-token-00000001").status == 200)
            }
        }
    }

    @Test("an admin flag set outside configuration is kept and brings the admin role")
    func adminFlagsInSync() async throws {
        try await withHub(yaml: Self.yaml) { h in
            var dave = try await h.createUser("dave")
            dave.admin = true
            try await h.store.updateUser(dave)
            try await h.hub.start()
            #expect(try await h.store.holders(ofRole: "admin").users.sorted() == ["dave", "root"])
        }
    }

    @Test("roles and services dropped from configuration are deleted at the next start")
    func removedFromConfiguration() async throws {
        try await withHub(yaml: Self.yaml) { h in
            let next = try HubConfiguration.load(yaml: "", file: "pawshub.yaml", environment: h.hub.environment, baseDirectory: h.directory)
            let restarted = try Hub(configuration: next, store: h.store, environment: h.hub.environment, logger: h.hub.logger)
            try await restarted.start()
            #expect(try await h.store.role(named: "culler") == nil)
            #expect(try await h.store.services().isEmpty)
            await restarted.stop()
        }
    }

    @Test("invalid load_roles is a configuration error before anything is written")
    func invalidRoles() async throws {
        let configuration = try HubConfiguration.load(
            yaml: "JupyterHub:\n  load_roles:\n    - name: viewer\n      scopes: [read:nothing]\n",
            file: "pawshub.yaml", environment: [:], baseDirectory: "/tmp")
        let store = try Store.inMemory()
        #expect(throws: HubStartupError.self) { try Hub(configuration: configuration, store: store) }
    }
}
