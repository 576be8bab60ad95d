// An in-process hub for endpoint tests: a fresh in-memory (or temporary-file) database, a chosen YAML
// configuration, helpers to create users, groups, roles, services and tokens, and `request(...)`
// calling the hub's handler directly (no sockets).
import Auth
import Foundation
import HTTP
import HTTPTypes
import Logging
import Store
@testable import Hub

/// A response as a test sees it.
struct HarnessResponse: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: [UInt8]

    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON; nil for an empty or non-JSON body.
    var json: JSONValue? { body.isEmpty ? nil : try? JSONValue.parse(body) }

    /// A header value.
    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}

/// A started hub with helpers.
final class HubHarness: Sendable {
    let hub: Hub
    let store: Store
    /// Where temporary files live (cookie secret, database file); removed by `close()`.
    let directory: String

    /// A hub started from `yaml` (the body of `pawshub.yaml`). `databaseFile` uses a temp SQLite file instead of memory.
    init(yaml: String = "", environment: [String: String] = [:], databaseFile: Bool = false) async throws {
        directory = NSTemporaryDirectory() + "pawshub-hub-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var env = environment
        // A fixed secret keeps tests from writing a cookie secret file into the working directory.
        if env["JPY_COOKIE_SECRET"] == nil { env["JPY_COOKIE_SECRET"] = String(repeating: "ab", count: 32) }
        let configuration = try HubConfiguration.load(yaml: yaml, file: "pawshub.yaml", environment: env, baseDirectory: directory)
        store = databaseFile ? try Store(path: directory + "/pawshub.sqlite") : try Store.inMemory()
        var logger = Logger(label: "pawshub.test")
        logger.logLevel = .critical
        hub = try Hub(configuration: configuration, store: store, environment: env, logger: logger)
        try await hub.start()
    }

    /// Stops background work and removes temporary files.
    func close() async {
        await hub.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Fixtures

    /// Creates a user (with the `user` role, and `admin` if asked) in `groups` (created if missing), holding `roles`.
    @discardableResult
    func createUser(_ name: String, admin: Bool = false, groups: [String] = [], roles: [String] = []) async throws -> User {
        for group in groups where try await store.group(named: group) == nil {
            _ = try await store.createGroup(name: group)
        }
        var assigned = ["user"] + roles
        if admin { assigned.append("admin") }
        let user = try await store.createUser(NewUser(name: name, admin: admin, roles: assigned, groups: groups))
        hub.identitiesChanged()
        return user
    }

    /// Creates (or redefines) a role with `scopes`.
    func createRole(_ name: String, scopes: [String]) async throws {
        try await store.saveRole(name: name, scopes: scopes)
        hub.identitiesChanged()
    }

    /// Creates a group holding `roles` with `members`.
    func createGroup(_ name: String, members: [String] = [], roles: [String] = []) async throws {
        let group = try await store.createGroup(name: name)
        try await store.addMembers(members, toGroup: name)
        for role in roles { try await store.assignRole(role, to: .group(group.id)) }
        hub.identitiesChanged()
    }

    /// Creates a service holding `roles`.
    @discardableResult
    func createService(_ name: String, roles: [String] = [], admin: Bool = false) async throws -> Service {
        let service = try await store.saveService(name: name, admin: admin)
        for role in roles { try await store.assignRole(role, to: .service(service.id)) }
        hub.identitiesChanged()
        return service
    }

    /// A new token for user `name` with `scopes` (default: inherit everything).
    func token(for name: String, scopes: [String] = ["inherit"], note: String? = nil, expiresIn: Int64? = nil,
               clientID: String = "jupyterhub") async throws -> String {
        guard let user = try await store.user(named: name) else { throw HubError.notFound("no user \(name)") }
        return try await hub.issueToken(owner: .user(user.id), scopes: scopes, note: note, expiresIn: expiresIn,
                                        clientID: clientID).token
    }

    /// A new token for service `name` with `scopes`.
    func serviceToken(for name: String, scopes: [String] = ["inherit"]) async throws -> String {
        guard let service = try await store.service(named: name) else { throw HubError.notFound("no service \(name)") }
        return try await hub.issueToken(owner: .service(service.id), scopes: scopes).token
    }

    // MARK: - Requests

    /// Sends a request to the hub's handler. `token` becomes `Authorization: token …`; `json` the body.
    func request(_ method: HTTPRequest.Method, _ target: String, token: String? = nil, json: JSONValue? = nil,
                 body: [UInt8]? = nil, headers: HTTPFields = [:], remoteHost: String = "127.0.0.1") async throws -> HarnessResponse {
        var fields = headers
        if let token { fields[.authorization] = "token \(token)" }
        var bytes = body ?? []
        if let json {
            bytes = Array(json.jsonText.utf8)
            if fields[.contentType] == nil { fields[.contentType] = "application/json" }
        }
        let head = RequestHead(method: method, target: target, headers: fields,
                               framing: bytes.isEmpty ? .none : .contentLength(bytes.count))
        let response = try await hub.handler.handle(HTTPServerRequest(head: head, body: .bytes(bytes), remoteHost: remoteHost))
        var collected: [UInt8] = []
        switch response.body {
        case .empty, .upgrade: break
        case .bytes(let b): collected = b
        case .stream(let write):
            let sink = ByteSink()
            try await write(BodyWriter { sink.append($0) })
            collected = sink.bytes
        }
        return HarnessResponse(status: response.status.code, headers: response.headers, body: collected)
    }
}

/// Collects a streamed body.
private final class ByteSink: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []
    func append(_ bytes: [UInt8]) { lock.lock(); storage += bytes; lock.unlock() }
    var bytes: [UInt8] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// Runs `body` with a started harness and always closes it.
func withHub<T>(yaml: String = "", environment: [String: String] = [:], databaseFile: Bool = false,
                _ body: (HubHarness) async throws -> T) async throws -> T {
    let harness = try await HubHarness(yaml: yaml, environment: environment, databaseFile: databaseFile)
    do {
        let result = try await body(harness)
        await harness.close()
        return result
    } catch {
        await harness.close()
        throw error
    }
}
