import Foundation
import Spawners
import Store
import Testing
@testable import Hub

@Suite("Spawn progress stream")
struct ServersProgressTests {
    @Test("a pending spawn streams 'Server requested', the spawner's events, then the ready event")
    func liveStream() async throws {
        try await withServersHub(yaml: "JupyterHub: {tornado_settings: {slow_spawn_timeout: 0.01}}") { env in
            _ = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .seconds(1), progress: [
                SpawnProgress(progress: 30, message: "Pulling image"),
                SpawnProgress(progress: 60, message: "Starting", htmlMessage: "<b>Starting</b>"),
            ]))
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 202)
            let response = try await env.harness.request(.get, "/hub/api/users/alice/server/progress", token: token)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/event-stream")
            #expect(response.header("Cache-Control") == "no-cache")
            let events = sseEvents(response.text)
            #expect(events.count == 4)
            #expect(events.first == .object(["progress": .int(0), "message": .string("Server requested")]))
            #expect(events.dropFirst().first == .object(["progress": .int(30), "message": .string("Pulling image")]))
            #expect(events.dropFirst(2).first?["html_message"] == .string("<b>Starting</b>"))
            #expect(events.last == .object([
                "progress": .int(100), "ready": .bool(true), "message": .string("Server ready at /user/alice/"),
                "html_message": .string("Server ready at <a href=\"/user/alice/\">/user/alice/</a>"),
                "url": .string("/user/alice/"),
            ]))
            #expect(response.text.hasPrefix("data: {\"progress\":0,\"message\":\"Server requested\"}\n\n"))
        }
    }

    @Test("a ready server gets only the ready event; a stopped one is 400; an unknown server is 404")
    func readyAndIdle() async throws {
        try await withServersHub(yaml: "JupyterHub: {allow_named_servers: true}") { env in
            _ = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/servers/nb1", token: token).status == 201)
            let ready = try await env.harness.request(.get, "/hub/api/users/alice/servers/nb1/progress", token: token)
            #expect(sseEvents(ready.text).map { $0["url"] } == [.string("/user/alice/nb1/")])
            #expect(try await env.harness.request(.delete, "/hub/api/users/alice/servers/nb1", token: token).status == 204)
            let idle = try await env.harness.request(.get, "/hub/api/users/alice/servers/nb1/progress", token: token)
            #expect(idle.status == 400)
            #expect(idle.message == "alice:nb1 is not starting...")
            #expect(try await env.harness.request(.get, "/hub/api/users/alice/servers/nope/progress", token: token).status == 404)
        }
    }

    @Test("a failed spawn reports 'Spawn failed: <reason>' to late listeners")
    func failed() async throws {
        try await withServersHub(yaml: "JupyterHub: {tornado_settings: {slow_spawn_timeout: 0.01}}") { env in
            _ = try await env.harness.createUser("alice")
            let token = try await env.harness.token(for: "alice")
            env.spawners.set(.init(address: TestSpawners.address, startDelay: .milliseconds(500), startFailure: "quota exceeded"))
            #expect(try await env.harness.request(.post, "/hub/api/users/alice/server", token: token).status == 202)
            let live = try await env.harness.request(.get, "/hub/api/users/alice/server/progress", token: token)
            #expect(live.status == 200, "\(live.text)")
            #expect(sseEvents(live.text).last == .object(["progress": .int(100), "failed": .bool(true),
                                                          "message": .string("Spawn failed: quota exceeded")]))
            let late = try await env.harness.request(.get, "/hub/api/users/alice/server/progress", token: token)
            #expect(sseEvents(late.text).map { $0["message"] } == [.string("Spawn failed: quota exceeded")])
        }
    }

    @Test("keep-alive blank lines are sent while a spawn is quiet")
    func keepAlive() async throws {
        let (chunks, sink) = AsyncStream<SpawnProgress>.makeStream()
        let result = Outcome<SpawnResult>()
        let collected = CollectedBody()
        let writer = BodyWriterBox(collected)
        let streaming = Task { try await ProgressAPI.stream(events: chunks, result: result, url: "/user/a/", to: writer.writer, keepAlive: .milliseconds(30)) }
        // Two keep-alives after the first event, however slow the machine is.
        #expect(try await eventually { collected.text.contains("}\n\n\n\n\n\n") })
        sink.finish()
        result.resolve(.ready)
        try await streaming.value
        let text = collected.text
        #expect(text.hasSuffix("\"url\":\"/user/a/\"}\n\n"))
        #expect(sseEvents(text).count == 2)
    }
}

import HTTP
import Synchronization

final class CollectedBody: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func append(_ more: [UInt8]) { bytes.withLock { $0 += more } }
    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}

struct BodyWriterBox {
    let writer: BodyWriter
    init(_ body: CollectedBody) { writer = BodyWriter { body.append($0) } }
}
