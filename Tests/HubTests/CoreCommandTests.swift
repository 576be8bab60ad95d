import Foundation
import GRDB
import Store
import Synchronization
import Testing
@testable import Hub

@Suite("pawshub serve, migrate and token")
struct CoreCommandTests {
    /// A temp directory with `pawshub.yaml` pointing the database there; returns (dir, config path, db path).
    func workspace(_ extra: String = "", hubPort: Int = 8081, publicPort: Int = 8000, proxyAPIPort: Int = 8001) throws -> (String, String, String) {
        let dir = NSTemporaryDirectory() + "pawshub-cmd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = dir + "/hub.sqlite"
        let yaml = """
            JupyterHub:
              bind_url: http://127.0.0.1:\(publicPort)/
              hub_bind_url: http://127.0.0.1:\(hubPort)/
              db_url: sqlite:///\(db)
              cookie_secret_file: \(dir)/cookie_secret
            ConfigurableHTTPProxy:
              api_url: http://127.0.0.1:\(proxyAPIPort)
            \(extra)
            """
        try yaml.write(toFile: dir + "/pawshub.yaml", atomically: true, encoding: .utf8)
        return (dir, dir + "/pawshub.yaml", db)
    }

    /// A database that a newer PawsHub has migrated (it records a migration this build does not know).
    func makeNewerDatabase(at path: String) async throws {
        let store = try Store(path: path)
        try store.migrate()
        _ = try await store.saveRole(name: "marker", scopes: [])
        // Written the way a newer build would: one more applied migration than this build knows.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')") }
        try queue.close()
    }

    @Test("migrate --check exits 1 without creating the file, migrate applies, then --check exits 0")
    func migrate() throws {
        let (_, config, db) = try workspace()
        let pending = MigrateTool.run(file: config, check: true, environment: [:])
        #expect(pending.exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: db))
        let applied = MigrateTool.run(file: config, check: false, environment: [:])
        #expect(applied.exitCode == 0)
        #expect(applied.output.contains("0001_initial"))
        #expect(MigrateTool.run(file: config, check: true, environment: [:]).exitCode == 0)
    }

    @Test("configuration errors exit 2 naming the file and key, for every command")
    func configurationErrors() async throws {
        let (_, config, _) = try workspace("  no_such_trait: 1")
        let migrate = MigrateTool.run(file: config, check: false, environment: [:])
        #expect(migrate.exitCode == 2)
        #expect(migrate.errors.contains("no_such_trait"))
        #expect(migrate.errors.contains("pawshub.yaml"))
        #expect(await TokenTool.run(user: "a", file: config, scopes: [], note: nil, environment: [:]).exitCode == 2)
        #expect(await ServeProcess.run(file: config, environment: [:]) == 2)
    }

    @Test("a database from a newer PawsHub: one clear line, exit 1, and the file is left byte-identical")
    func newerDatabase() async throws {
        let (_, config, db) = try workspace()
        try await makeNewerDatabase(at: db)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let migrate = MigrateTool.run(file: config, check: false, environment: [:])
        #expect(migrate.exitCode == 1)
        #expect(migrate.errors.contains("newer PawsHub"))
        #expect(await TokenTool.run(user: "a", file: config, scopes: [], note: nil, environment: [:]).exitCode == 1)
        #expect(await ServeProcess.run(file: config, environment: [:]) == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    @Test("token creates a missing user, prints 32 hex, and refuses unknown or unheld scopes with exit 2")
    func token() async throws {
        let (_, config, db) = try workspace()
        let made = await TokenTool.run(user: "alice", file: config, scopes: [], note: nil, environment: [:])
        #expect(made.exitCode == 0)
        let token = made.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 32 && token.allSatisfy(\.isHexDigit))
        let store = try Store(path: db)
        let alice = try #require(try await store.user(named: "alice"))
        #expect(try await store.roles(of: .user(alice.id)).map(\.name) == ["user"])
        let narrow = await TokenTool.run(user: "alice", file: config, scopes: ["read:users!user=alice"], note: "n", environment: [:])
        #expect(narrow.exitCode == 0)
        let unknown = await TokenTool.run(user: "alice", file: config, scopes: ["read:everything"], note: nil, environment: [:])
        #expect(unknown.exitCode == 2)
        let unheld = await TokenTool.run(user: "alice", file: config, scopes: ["admin:users"], note: nil, environment: [:])
        #expect(unheld.exitCode == 2)
        #expect(unheld.errors.contains("admin:users"))
    }

    @Test("serve runs the hub behind the embedded proxy, answers the API on both, and exits 0 after POST /hub/api/shutdown")
    func serve() async throws {
        let hubPort = RawHTTP.freePort(), publicPort = RawHTTP.freePort(), apiPort = RawHTTP.freePort()
        let (_, config, _) = try workspace("Authenticator:\n  admin_users: [root]", hubPort: hubPort, publicPort: publicPort,
                                           proxyAPIPort: apiPort)
        let token = await TokenTool.run(user: "root", file: config, scopes: [], note: nil, environment: [:])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let listening = Mutex<(Int, Int)?>(nil)
        let server = Task { await ServeProcess.run(file: config, environment: [:]) { p, h in listening.withLock { $0 = (p, h) } } }
        for _ in 0..<200 where listening.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(25)) }
        let ports = try #require(listening.withLock { $0 })
        #expect(ports == (publicPort, hubPort))
        let root = try RawHTTP.send(port: hubPort, method: "GET", path: "/hub/api/")
        #expect(root.status == 200)
        #expect(root.body == #"{"version":"6.1.1"}"#)
        let redirected = try RawHTTP.send(port: publicPort, method: "GET", path: "/user/root/lab")
        #expect(redirected.status == 302)  // through the proxy's default route to the hub
        #expect(throws: (any Error).self) { try RawHTTP.send(port: apiPort, method: "GET", path: "/api/routes") }  // no API listener
        let who = try RawHTTP.send(port: publicPort, method: "GET", path: "/hub/api/user", headers: ["Authorization": "token \(token)"])
        #expect(who.status == 200)
        #expect(who.body.contains(#""name":"root""#))
        let stop = try RawHTTP.send(port: publicPort, method: "POST", path: "/hub/api/shutdown", headers: ["Authorization": "token \(token)"])
        #expect(stop.status == 202)
        #expect(await server.value == 0)
    }
}
