// Fixtures shared by the users-API tests: server rows in a given state and short JSON accessors.
import HTTPTypes
import Store
import Testing
@testable import Hub

extension HubHarness {
    /// Adds a server row for `user`: ready (running), pending, or stopped.
    @discardableResult
    func addServer(_ user: String, name: String = "", ready: Bool = true, pending: PendingAction? = nil) async throws -> Server {
        let owner = try #require(try await store.user(named: user))
        var server = try await store.createServer(NewServer(userID: owner.id, name: name))
        server.ready = ready
        server.pending = pending
        if ready || pending != nil {
            server.started = .now()
            server.url = "http://127.0.0.1:9999/user/\(user)/"
        }
        try await store.updateServer(server)
        hub.identitiesChanged()
        return server
    }

    /// `GET` with the pagination `Accept` header.
    func paged(_ target: String, token: String) async throws -> HarnessResponse {
        try await request(.get, target, token: token, headers: [.accept: PageParameters.mediaType])
    }
}

extension JSONValue {
    /// The `name` of each object in an array (a user list), in order.
    var names: [String] { (arrayValue ?? []).compactMap { $0["name"]?.stringValue } }
    /// The `message` of an error body.
    var message: String? { self["message"]?.stringValue }
    /// The object's keys, sorted.
    var keys: [String] { (objectValue ?? [:]).keys.sorted() }
}
