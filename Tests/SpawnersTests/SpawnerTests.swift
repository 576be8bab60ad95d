import Testing
@testable import Spawners

@Suite("Server addresses")
struct ServerAddressTests {
    @Test("a URL with host and port parses into parts and prints back without a trailing slash")
    func parsesURL() throws {
        let address = try ServerAddress(url: "http://127.0.0.1:9999/")
        #expect(address.scheme == "http")
        #expect(address.host == "127.0.0.1")
        #expect(address.port == 9999)
        #expect(address.url == "http://127.0.0.1:9999")
    }

    @Test("IPv6 hosts are bracketed in the URL and bare in the host")
    func ipv6() throws {
        let address = try ServerAddress(url: "http://[::1]:8888")
        #expect(address.host == "::1")
        #expect(address.url == "http://[::1]:8888")
        #expect(try ServerAddress(host: "fd00::5", port: 8888).url == "http://[fd00::5]:8888")
    }

    @Test("a missing port defaults by scheme")
    func defaultPort() throws {
        #expect(try ServerAddress(url: "https://example.org").port == 443)
        #expect(try ServerAddress(url: "http://example.org").port == 80)
    }

    @Test("paths, bad schemes, bad ports and missing schemes are refused with a reason")
    func refusesBadURLs() {
        for bad in ["http://h:1/user/", "ftp://h:1", "h:1", "http://h:0", "http://h:99999", "http://h:x", "http://:80",
                    "http://[::1", "http://u@h:1"] {
            #expect(throws: SpawnerError.self, "\(bad)") { try ServerAddress(url: bad) }
        }
    }
}

@Suite("Spawn context")
struct SpawnContextTests {
    @Test("the service URL follows the address the spawner chose, and the operator's environment wins")
    func environment() {
        let context = SpawnContext(
            userName: "alice", serverName: "", prefix: "/user/alice/",
            hubEnvironment: ["JUPYTERHUB_USER": "alice", "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:0/user/alice/"],
            operatorEnvironment: ["JUPYTERHUB_USER": "override", "EXTRA": "1"],
            command: ["jupyterhub-singleuser"], arguments: ["--debug"])
        let env = context.environment(listeningOn: "0.0.0.0", port: 8888)
        #expect(env["JUPYTERHUB_SERVICE_URL"] == "http://0.0.0.0:8888/user/alice/")
        #expect(env["JUPYTERHUB_USER"] == "override")
        #expect(env["EXTRA"] == "1")
        #expect(context.argv == ["jupyterhub-singleuser", "--debug"])
        #expect(context.environment(listeningOn: "::1", port: 1)["JUPYTERHUB_SERVICE_URL"] == "http://[::1]:1/user/alice/")
    }

    @Test("progress values are clamped to 0–100")
    func clamp() {
        #expect(SpawnProgress(progress: 150, message: "x").progress == 100)
        #expect(SpawnProgress(progress: -3, message: "x").progress == 0)
        #expect(SpawnProgress(progress: nil, message: "x").progress == nil)
    }
}

@Suite("Progress log")
struct ProgressLogTests {
    @Test("a late listener gets the replay, then live events, then the end")
    func replayThenLive() async {
        let log = ProgressLog()
        log.begin()
        log.report(SpawnProgress(progress: 10, message: "a"))
        let stream = log.stream()
        log.report(SpawnProgress(progress: 20, message: "b"))
        log.finish()
        var messages: [String] = []
        for await event in stream { messages.append(event.message) }
        #expect(messages == ["a", "b"])
    }

    @Test("after the start ends a listener gets only the replay; a new start forgets old events")
    func finished() async {
        let log = ProgressLog()
        log.begin()
        log.report(SpawnProgress(progress: 1, message: "old"))
        log.finish()
        var replay: [String] = []
        for await event in log.stream() { replay.append(event.message) }
        #expect(replay == ["old"])
        log.begin()
        #expect(log.events.isEmpty)
        log.report(SpawnProgress(progress: 1, message: "after finish is ignored"))
        log.finish()
        log.report(SpawnProgress(progress: 1, message: "ignored"))
        #expect(log.events.map(\.message) == ["after finish is ignored"])
    }

    @Test("the replay buffer is bounded")
    func bounded() {
        let log = ProgressLog()
        log.begin()
        for i in 0..<(ProgressLog.maxEvents + 5) { log.report(SpawnProgress(progress: nil, message: "\(i)")) }
        #expect(log.events.count == ProgressLog.maxEvents)
        #expect(log.events.first?.message == "5")
    }
}

@Suite("Built-in spawners")
struct BuiltInSpawnerTests {
    let address: ServerAddress
    init() throws { address = try ServerAddress(url: "http://127.0.0.1:9") }

    func context() -> SpawnContext {
        SpawnContext(userName: "alice", serverName: "nb1", prefix: "/user/alice/nb1/", hubEnvironment: [:])
    }

    @Test("the static spawner answers every start with its URL and counts as running when a restarted hub loads it")
    func staticSpawner() async throws {
        let spawner = StaticURLSpawner(address: address)
        #expect(await spawner.poll() == 0)
        #expect(try await spawner.start(context()) == address)
        #expect(await spawner.poll() == nil)
        #expect(spawner.state().isEmpty)
        let restarted = StaticURLSpawner(address: address)
        restarted.load(state: .empty)
        #expect(await restarted.poll() == nil)
        try await restarted.stop(now: false)
        #expect(await restarted.poll() == 0)
        #expect(restarted.state().isEmpty)
    }

    @Test("the test spawner reports its progress, records the context and can be made to crash")
    func testSpawner() async throws {
        let spawner = InProcessTestSpawner(behavior: .init(
            address: address, startDelay: .milliseconds(300),
            progress: [SpawnProgress(progress: 30, message: "pulling"), SpawnProgress(progress: 60, message: "starting")]))
        async let started = spawner.start(context())
        while spawner.startContexts.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
        var messages: [String] = []
        for await event in spawner.progress() { messages.append(event.message) }
        #expect(try await started == address)
        #expect(messages == ["pulling", "starting"])
        #expect(spawner.startContexts.map(\.serverName) == ["nb1"])
        #expect(await spawner.poll() == nil)
        spawner.simulateExit(status: 137)
        #expect(await spawner.poll() == 137)
    }

    @Test("a failing start throws its reason; a cancelled start throws cancellation")
    func failures() async throws {
        let spawner = InProcessTestSpawner(behavior: .init(address: address, startFailure: "image not found"))
        await #expect(throws: SpawnerError("image not found")) { try await spawner.start(context()) }
        #expect(await spawner.poll() == 0)
        spawner.setBehavior(.init(address: address, startDelay: .seconds(30)))
        let task = Task { try await spawner.start(context()) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        try await spawner.stop(now: true)
        #expect(spawner.stopCount == 1)
    }

    @Test("a restored test spawner counts as running until stopped")
    func restoredState() async throws {
        let spawner = InProcessTestSpawner(behavior: .init(address: address))
        _ = try await spawner.start(context())
        let restarted = InProcessTestSpawner(behavior: .init(address: address))
        restarted.load(state: spawner.state())
        #expect(await restarted.poll() == nil)
        try await restarted.stop(now: false)
        #expect(await restarted.poll() == 0)
    }
}
