// `GET /users/{name}/server/progress` and `…/servers/{server_name}/progress`: Server-Sent Events while a server
// starts (contract §7) — "Server requested", the spawner's own events, then one terminal event (ready with the
// URL, or failed with the reason); a blank line every 8 s keeps proxies from closing a quiet stream.
import Auth
import HTTP
import HTTPTypes
import Spawners

func registerProgressAPI(into router: inout Router<APIEndpoint>) {
    let name = "jupyterhub.apihandlers.users.SpawnProgressAPIHandler"
    for pattern in ["/users/{name}/server/progress", "/users/{name}/servers/{server_name}/progress"] {
        router.add(.get, pattern, APIEndpoint(name, changesIdentities: false) { try await ProgressAPI.get($0) })
    }
}

enum ProgressAPI {
    /// How often a blank line is sent while nothing else is.
    static let keepAliveInterval: Duration = .seconds(8)

    static func get(_ request: APIRequest) async throws -> HTTPServerResponse {
        let userName = request.path["name"] ?? ""
        let serverName = request.path["server_name"] ?? ""
        try await request.authorize(.readServers, on: .server(ServerRef(user: userName, name: serverName)))
        let hub = request.hub
        guard let user = try await hub.store.user(named: userName),
              try await hub.store.server(userID: user.id, name: serverName) != nil else {
            throw HubError.notFound()
        }
        let url = HubURLs(baseURL: hub.baseURL).serverURL(user: user.name, server: serverName)
        let snapshot = hub.servers.progressSnapshot(userID: user.id, serverName: serverName)
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        switch snapshot {
        case .idle:
            throw HubError.badRequest("\(ServerNaming.logName(user: user.name, server: serverName)) is not starting...")
        case .ready:
            let event = readyEvent(url: url)
            return HTTPServerResponse(status: .ok, headers: headers, body: .stream { writer in try await writer.write(event) })
        case .ended(let result):
            let event = terminalEvent(result, url: url)
            return HTTPServerResponse(status: .ok, headers: headers, body: .stream { writer in try await writer.write(event) })
        case .spawning(let events, let result):
            return HTTPServerResponse(status: .ok, headers: headers, body: .stream { writer in
                try await stream(events: events, result: result, url: url, to: writer)
            })
        }
    }

    /// Writes the live stream: one writer, fed by the event relay and the keep-alive ticker through a channel.
    static func stream(events: AsyncStream<SpawnProgress>, result: Outcome<SpawnResult>, url: String,
                       to writer: BodyWriter, keepAlive: Duration = keepAliveInterval) async throws {
        let (chunks, sink) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
        let relay = Task {
            sink.yield(event(progress: 0, message: "Server requested"))
            let drained = Outcome<Void>()
            let forward = Task {
                for await progress in events { sink.yield(spawnerEvent(progress)) }
                drained.resolve(())
            }
            let ending = await result.wait()
            // The spawner's stream ends when its start returns, well before the spawn resolves; the grace only
            // matters for a spawner that never finishes its stream.
            _ = await drained.wait(timeout: .seconds(1))
            forward.cancel()
            sink.yield(terminalEvent(ending ?? .cancelled, url: url))
            sink.finish()
        }
        let ticker = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: keepAlive) } catch { return }
                sink.yield("\n\n")
            }
        }
        defer {
            relay.cancel()
            ticker.cancel()
        }
        for await chunk in chunks { try await writer.write(chunk) }
    }

    // MARK: - Events (key order as JupyterHub writes them)

    static func event(progress: Int, message: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("progress"); w.int(progress)
        w.key("message"); w.string(message)
        w.endObject()
        return frame(w)
    }

    static func spawnerEvent(_ progress: SpawnProgress) -> String {
        var w = JSONWriter()
        w.beginObject()
        if let value = progress.progress { w.key("progress"); w.int(value) }
        w.key("message"); w.string(progress.message)
        if let html = progress.htmlMessage { w.key("html_message"); w.string(html) }
        w.endObject()
        return frame(w)
    }

    static func readyEvent(url: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("progress"); w.int(100)
        w.key("ready"); w.bool(true)
        w.key("message"); w.string("Server ready at \(url)")
        w.key("html_message"); w.string("Server ready at <a href=\"\(url)\">\(url)</a>")
        w.key("url"); w.string(url)
        w.endObject()
        return frame(w)
    }

    static func terminalEvent(_ result: SpawnResult, url: String) -> String {
        let message: String
        switch result {
        case .ready: return readyEvent(url: url)
        case .failed(let reason): message = "Spawn failed: \(reason)"
        case .cancelled: message = "Spawn cancelled"
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("progress"); w.int(100)
        w.key("failed"); w.bool(true)
        w.key("message"); w.string(message)
        w.endObject()
        return frame(w)
    }

    static func frame(_ w: JSONWriter) -> String { "data: \(w.text)\n\n" }
}
