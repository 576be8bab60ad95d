// Servers outlive the hub (z2jh and PAWS set cleanup_servers false), so a starting hub finds the ones still
// running (contract §13 `init_spawners`): only rows that were active are touched (start-up stays O(running
// servers)), checks run concurrently with a bound, and the hub waits at most `init_spawners_timeout` before
// serving while the rest finish in the background. The routes of servers recorded as ready are restored before
// serving (an external proxy kept them anyway; the embedded one restarted empty), so users reach their servers
// while the checks run; a check that finds a server gone cleans it up, route included. Afterwards every running
// server is polled periodically.
import Auth
import Foundation
import Spawners
import Store

extension ServerManager {
    /// How many restored servers are checked at once (each check may probe over HTTP for `http_timeout`).
    static let recoveryConcurrency = 32

    /// Restores servers that were active when the hub last ran; returns when all are checked or after
    /// `init_spawners_timeout` (the rest continue in the background, then routes are checked again).
    public func restoreServers() async throws {
        let rows = try await store.activeServers()
        guard !rows.isEmpty else { return }
        let owners = try await store.users(named: Array(Set(rows.map(\.ownerName))))
        let byName = Dictionary(owners.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let factory = current.spawnerFactory
        var keys: [(ServerKey, Bool)] = []
        slots.withLock { slots in
            for owned in rows {
                guard let user = byName[owned.ownerName] else { continue }
                let key = ServerKey(userID: user.id, name: owned.server.name)
                let spawner = factory(SpawnerOwner(userID: user.id, userName: user.name, serverName: owned.server.name))
                spawner.load(state: SpawnerStateCoding.state(owned.server.state))
                let address = owned.server.port.flatMap { port in
                    owned.server.ip.flatMap { ip in
                        try? ServerAddress(scheme: owned.server.url?.hasPrefix("https:") == true ? "https" : "http", host: ip, port: port)
                    }
                }
                var slot = ServerSlot(userName: user.name, row: owned.server, spawner: spawner, pending: .check,
                                      ready: false, address: address)
                slot.routedWhileChecked = owned.server.ready && !user.blocked
                slots[key] = slot
                keys.append((key, user.blocked))
            }
        }
        logger.info("Checking \(keys.count) servers that were running before the hub started")
        // Routes first, then the checks: a check that finds a server dead deletes a route that is already there.
        try await checkRoutes()
        let done = Outcome<Void>()
        let timedOut = Outcome<Bool>()
        let work = keys
        runInBackground { [self] in
            await withTaskGroup(of: Void.self) { group in
                var next = 0
                func launch() {
                    guard next < work.count else { return }
                    let (key, blocked) = work[next]
                    next += 1
                    group.addTask { await self.checkRestored(key, blocked: blocked) }
                }
                for _ in 0..<min(Self.recoveryConcurrency, work.count) { launch() }
                while await group.next() != nil { launch() }
            }
            done.resolve(())
            // A thousand checks leave connections' caches and buffers behind: hand the free pages back.
            await MemoryPolicy.release(store)
            // Start-up checked routes without the late servers; check again now they are known.
            if await timedOut.wait() == true {
                do { try await checkRoutes() } catch { logger.error("Route check after restoring servers failed: \(error)") }
            }
        }
        // Zero (the default): serve at once, checks in the background.
        let limit = configuration.jupyterHub.initSpawnersTimeout
        let finished = limit == .zero ? done.value != nil : await done.wait(timeout: limit) != nil
        timedOut.resolve(!finished)
        if !finished {
            logger.info("Checking \(keys.count) restored servers in the background (init_spawners_timeout \(limit.secondsText) s)")
        }
    }

    /// One restored server: still running and answering → ready; otherwise cleaned up.
    private func checkRestored(_ key: ServerKey, blocked: Bool) async {
        guard let slot = slots.withLock({ $0[key] }) else { return }
        let logName = ServerNaming.logName(user: slot.userName, server: key.name)
        if blocked {
            logger.info("Stopping \(logName): the user is blocked")
        }
        var status = await slot.spawner.poll()
        var address = slot.address
        if status == nil, !blocked {
            if let moved = await slot.spawner.currentAddress(), moved != address {
                logger.info("\(logName) moved to \(moved)")
                address = moved
            }
            if let address {
                let prefix = environment.urls.serverURL(user: slot.userName, server: key.name)
                do {
                    _ = try await ReadinessProbe(http: current.http).waitUntilUp(
                        url: address.url + prefix + "api", timeout: configuration.spawner.httpTimeout,
                        exited: { await slot.spawner.poll() })
                } catch {
                    logger.warning("\(logName) does not answer: \(Self.describe(error))")
                    status = 0
                }
            } else {
                status = 0
            }
        }
        if status == nil, !blocked, let address, let recorded = slot.row {
            var row = recorded
            row.pending = nil
            row.ready = true
            row.url = address.url + environment.urls.serverURL(user: slot.userName, server: key.name)
            row.ip = address.host
            row.port = address.port
            // Usually nothing changed (the server kept running where it was): no write, 1,000 restored servers
            // cost no commits.
            if row != recorded {
                do { try await store.updateServer(row) } catch {
                    logger.error("Could not record that \(logName) is running: \(error)")
                }
            }
            if address != slot.address || !recorded.ready {
                // Moved, or never routed (its spawn was pending when the hub stopped): route it now.
                do {
                    try await routing.registrar.add(routeSpec(user: slot.userName, server: key.name), target: address.url,
                                                    data: ["user": .string(slot.userName), "server_name": .string(key.name)])
                } catch {
                    logger.error("Failed to route restored \(logName): \(error)")
                }
            }
            slots.withLock { slots in
                guard slots[key]?.pending == .check else { return }
                slots[key]?.row = row
                slots[key]?.address = address
                slots[key]?.pending = nil
                slots[key]?.ready = true
                slots[key]?.routedWhileChecked = false
            }
            return
        }
        if !blocked {
            logger.warning("\(logName) appears to have stopped while the Hub was down")
        }
        let claimed = slots.withLock { slots -> Bool in
            guard slots[key]?.pending == .check else { return false }
            slots[key]?.pending = .stop
            slots[key]?.routedWhileChecked = false
            slots[key]?.stop = Outcome<StopResult>()
            slots[key]?.removeAfterStop = false
            return true
        }
        if claimed { await runStop(key, interrupting: nil, alreadyExited: status != nil) }
    }

    // MARK: - Polling running servers

    /// Polls every ready server each `poll_interval` (±10 %); servers that exited are cleaned up.
    func pollRunningServers() async {
        let interval = configuration.spawner.pollInterval
        guard interval > .zero else { return }
        while !Task.isCancelled {
            let jitter = Double.random(in: 0.9...1.1)
            do { try await Task.sleep(for: interval * jitter) } catch { return }
            let running = slots.withLock { slots in
                slots.compactMap { key, slot in slot.ready && slot.pending == nil ? (key, slot.spawner) : nil }
            }
            await withTaskGroup(of: Void.self) { group in
                var index = 0
                func launch() {
                    guard index < running.count else { return }
                    let (key, spawner) = running[index]
                    index += 1
                    group.addTask {
                        if await spawner.poll() != nil { await self.stopExited(key) }
                    }
                }
                for _ in 0..<min(Self.recoveryConcurrency, running.count) { launch() }
                while await group.next() != nil { launch() }
            }
        }
    }
}

extension ServerManager {
    /// Start-up after the database is ready: restore servers, make the proxy match (an unreachable external
    /// proxy fails start-up, as in JupyterHub), then start polling servers and importing proxy activity.
    public func startUp() async throws {
        try await restoreServers()
        try await checkRoutes()
        runInBackground { [self] in await pollRunningServers() }
        runInBackground { [self] in await runProxyActivityLoop() }
    }

    /// Stops periodic jobs and outgoing connections; with `stopServers` (`cleanup_servers`), stops every active
    /// server first.
    public func shutdown(stopServers: Bool) async {
        if stopServers {
            let active = slots.withLock { slots in
                Dictionary(slots.compactMap { key, slot in slot.isActive ? (key.userID, slot.userName) : nil },
                           uniquingKeysWith: { first, _ in first })
            }
            await withTaskGroup(of: Void.self) { group in
                for (userID, userName) in active {
                    group.addTask {
                        guard let user = try? await self.store.user(id: userID) else { return }
                        do { try await self.stopAll(user: user) } catch {
                            self.logger.error("Failed to stop \(userName)'s servers at shutdown: \(error)")
                        }
                    }
                }
            }
        }
        let tasks = background.withLock { state -> [Task<Void, Never>] in
            defer { state.tasks = [:] }
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        await ownedHTTP.shutdown()
    }
}
