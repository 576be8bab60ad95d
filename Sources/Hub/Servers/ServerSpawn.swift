// Starting a server (contract §7): admission (pending checks, concurrent_spawn_limit, active_server_limit), then
// in a task: server token → OAuth client → Spawner.start (start_timeout) → readiness probe (http_timeout) → proxy
// route. Any failure stops what was started and records "Spawn failed: …" for progress streams.
import Auth
import Foundation
import HTTPTypes
import Logging
import Spawners
import Store

/// What a start request led to.
public enum StartResult: Sendable, Equatable {
    /// Ready within `slow_spawn_timeout` (201).
    case ready
    /// Still starting (202).
    case pending
}

extension ServerManager {
    /// Starts `user`'s server `serverName` (creating its row if needed) and waits up to `slow_spawn_timeout`.
    /// `userOptions` nil reuses the stored options. Throws `HubError` 400 (already running or pending), 429
    /// (throttled), 500 (the spawn failed within the wait).
    public func start(user: User, serverName: String, displayName: String? = nil,
                      userOptions: JSONValue? = nil) async throws -> StartResult {
        let key = ServerKey(userID: user.id, name: serverName)
        let logName = ServerNaming.logName(user: user.name, server: serverName)
        switch inspectForStart(key) {
        case .spawning: return .pending
        case .busy(let action): throw HubError.badRequest("\(logName) is pending \(action.rawValue)")
        case .running(let spawner):
            if await spawner.poll() == nil { throw HubError.badRequest("\(logName) is already running") }
            // It died without the hub noticing yet: clean up first, as JupyterHub's poll_and_notify does.
            await stopExited(key)
        case .idle: break
        }
        var options: JSONObjectText?
        if let userOptions {
            guard case .object = userOptions else { throw HubError.badRequest("user_options must be an object or null") }
            options = try JSONObjectText(userOptions.jsonText)
        }
        guard let (slot, outcome) = try await admitWaiting(key, user: user) else { return .pending }
        let requested = ContinuousClock.now
        let row: Server
        let token: String
        let recorded: ContinuousClock.Instant
        do {
            // One write: row created if needed, pending spawn, started and activity now, options and name applied,
            // and the server's token and OAuth client stored.
            let credentials = try serverCredentials(userID: user.id, userName: user.name, serverName: serverName)
            token = credentials.token
            row = try await store.beginSpawn(SpawnStart(
                userID: user.id, name: serverName, displayNameIfCreated: serverName.isEmpty ? "" : (displayName ?? serverName),
                newDisplayName: serverName.isEmpty ? nil : displayName, userOptions: options, at: .now()),
                credentials: credentials.stored)
            recorded = ContinuousClock.now
        } catch {
            slots.withLock { $0[key]?.pending = nil }
            outcome.resolve(.failed("could not record the spawn: \(error)"))
            throw error
        }
        // A stop may have claimed the slot while the row was written; then this start is over before it began.
        // The task is created under the lock, so a stop always finds it to cancel.
        let templateValues = user.wikiUserID.map { ["wiki_user_id": String($0)] } ?? [:]
        let launched = slots.withLock { slots -> Bool in
            guard slots[key]?.pending == .spawn, slots[key]?.spawn === outcome else { return false }
            slots[key]?.row = row
            slots[key]?.spawnTask = Task { [self] in
                await runSpawn(key, userName: user.name, spawner: slot.spawner, row: row, token: token,
                               templateValues: templateValues, requested: requested, recorded: recorded, outcome: outcome)
            }
            return true
        }
        if !launched {
            var undone = row
            undone.pending = nil
            undone.started = nil
            try? await store.updateServer(undone)
            try? await deleteServerCredentials(userID: user.id, userName: user.name, serverName: serverName)
            outcome.resolve(.cancelled)
            return .pending
        }
        guard let result = await outcome.wait(timeout: configuration.jupyterHub.slowSpawnTimeout) else {
            logger.warning("User \(logName) is slow to start (timeout=\(configuration.jupyterHub.slowSpawnTimeout))")
            return .pending
        }
        switch result {
        case .ready: return .ready
        case .cancelled: return .pending
        case .failed(let message): throw HubError(.internalServerError, "Spawn failed: \(message)")
        }
    }

    private enum StartCheck {
        case idle, spawning, busy(PendingAction), running(any Spawner)
    }

    private func inspectForStart(_ key: ServerKey) -> StartCheck {
        slots.withLock { slots in
            guard let slot = slots[key] else { return .idle }
            if slot.pending == .spawn { return .spawning }
            if let action = slot.pending { return .busy(action) }
            return slot.ready ? .running(slot.spawner) : .idle
        }
    }

    /// The server row, created on first use (default servers get display name "", named ones their name).
    func ensureRow(user: User, serverName: String, displayName: String?) async throws -> Server {
        if let row = try await store.server(userID: user.id, name: serverName) { return row }
        do {
            return try await store.createServer(NewServer(
                userID: user.id, name: serverName, displayName: serverName.isEmpty ? "" : (displayName ?? serverName)))
        } catch StoreError.alreadyExists {
            // A concurrent request created it first.
            guard let row = try await store.server(userID: user.id, name: serverName) else {
                throw HubError.notFound()
            }
            return row
        }
    }

    /// Admission, waiting up to `spawn_throttle_wait` while `concurrent_spawn_limit` spawns are in flight: each
    /// round waits for one of them to finish (waiters spread over different spawns, so one finish wakes about one
    /// waiter), then tries again. The 429 comes when the wait is over and the limit still holds.
    private func admitWaiting(_ key: ServerKey, user: User) async throws(HubError) -> (ServerSlot, Outcome<SpawnResult>)? {
        let deadline = ContinuousClock.now + configuration.jupyterHub.spawnThrottleWait
        var round = Int.random(in: 0..<1024)
        while true {
            let pendingSpawns: Int
            switch try admit(key, user: user) {
            case .admitted(let slot, let outcome): return (slot, outcome)
            case .alreadySpawning: return nil
            case .throttled(let count): pendingSpawns = count
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, let busy = unfinishedSpawn(round) else {
                throw Self.throttled(pendingSpawns: pendingSpawns, logger: logger)
            }
            round &+= 1
            if await busy.wait(timeout: remaining) != nil {
                // Finished, but its slot may not be released yet: give the releasing task a moment.
                await Task.yield()
            }
            if Task.isCancelled { throw Self.throttled(pendingSpawns: pendingSpawns, logger: logger) }
        }
    }

    /// One in-flight spawn not finished yet, picked by `round` among them.
    private func unfinishedSpawn(_ round: Int) -> Outcome<SpawnResult>? {
        let unfinished = slots.withLock { slots in
            slots.values.compactMap { $0.pending == .spawn && $0.spawn?.value == nil ? $0.spawn : nil }
        }
        return unfinished.isEmpty ? nil : unfinished[round % unfinished.count]
    }

    private enum Admission {
        case admitted(ServerSlot, Outcome<SpawnResult>)
        /// A concurrent request started this spawn first.
        case alreadySpawning
        /// `concurrent_spawn_limit` spawns (the count) are in flight.
        case throttled(Int)
    }

    /// Admission under the lock: re-checks pending, applies both limits, marks the spawn pending.
    private func admit(_ key: ServerKey, user: User) throws(HubError) -> Admission {
        let hub = configuration.jupyterHub
        let factory = current.spawnerFactory
        let logName = ServerNaming.logName(user: user.name, server: key.name)
        let outcome = Outcome<SpawnResult>()
        let admitted: Result<Admission, HubError> = slots.withLock { slots in
            if let existing = slots[key]?.pending {
                return existing == .spawn ? .success(.alreadySpawning) : .failure(HubError.badRequest("\(logName) is pending \(existing.rawValue)"))
            }
            if hub.concurrentSpawnLimit > 0 {
                let pendingSpawns = slots.values.count { $0.pending == .spawn }
                if pendingSpawns >= hub.concurrentSpawnLimit { return .success(.throttled(pendingSpawns)) }
            }
            let active = slots.values.count(where: \.isActive)
            if hub.activeServerLimit > 0, active >= hub.activeServerLimit {
                logger.info("\(active) servers active, no space available")
                return .failure(HubError(.tooManyRequests, "Active user limit exceeded. Try again in a few minutes."))
            }
            var slot = slots[key] ?? ServerSlot(
                userName: user.name, row: nil,
                spawner: factory(SpawnerOwner(userID: user.id, userName: user.name, serverName: key.name)),
                pending: nil, ready: false)
            slot.userName = user.name
            slot.pending = .spawn
            slot.ready = false
            slot.address = nil
            slot.spawn = outcome
            slot.timings = SpawnTimings()
            slots[key] = slot
            return .success(.admitted(slot, outcome))
        }
        return try admitted.get()
    }

    /// 429 with `Retry-After` drawn from [30, 60] s and JupyterHub's rounded human wording.
    static func throttled(pendingSpawns: Int, logger: Logger) -> HubError {
        let retry = Int.random(in: 30...60)
        let human = "\(Int((Double(retry) / 10).rounded(.up)))0 seconds"
        logger.warning("\(pendingSpawns) pending spawns, throttling. Suggested retry in \(retry) seconds.")
        var headers = HTTPFields()
        headers[.retryAfter] = String(retry)
        return HubError(.tooManyRequests, "Too many users trying to log in right now. Try again in \(human).", headers: headers)
    }

    // MARK: - The spawn task

    func runSpawn(_ key: ServerKey, userName: String, spawner: any Spawner, row initial: Server, token: String,
                  templateValues: [String: String], requested: ContinuousClock.Instant, recorded: ContinuousClock.Instant,
                  outcome: Outcome<SpawnResult>) async {
        var row = initial
        let prefix = environment.urls.serverURL(user: userName, server: key.name)
        var routeAdded = false
        do {
            let context = environment.context(user: userName, server: key.name, token: token,
                                              userOptions: row.userOptions.text, templateValues: templateValues)
            let address: ServerAddress
            do {
                address = try await withDeadline(configuration.spawner.startTimeout) { try await spawner.start(context) }
            } catch is DeadlineExceeded {
                throw SpawnerError("Server did not start within \(configuration.spawner.startTimeout.secondsText) seconds")
            }
            let started = ContinuousClock.now - requested
            row.url = address.url + prefix
            row.ip = address.host
            row.port = address.port
            row.baseURL = prefix
            let state = spawner.state()
            row.state = try SpawnerStateCoding.text(state)
            // A spawner with state (a pod name) is recorded at once, so a hub crashing now can still find and stop
            // the server; without state there is nothing to recover and the ready write below records everything.
            if !state.isEmpty { try await store.updateServer(row) }
            slots.withLock { $0[key]?.timings.start = started; $0[key]?.address = address }
            let probe = ReadinessProbe(http: current.http)
            row.serverVersion = try await probe.waitUntilUp(url: address.url + prefix + "api",
                                                            timeout: configuration.spawner.httpTimeout,
                                                            exited: { await spawner.poll() })
            let readyAfter = ContinuousClock.now - requested
            try Task.checkCancellation()
            let routeStarted = ContinuousClock.now
            try await routing.registrar.add(routeSpec(user: userName, server: key.name), target: address.url,
                                            data: ["user": .string(userName), "server_name": .string(key.name)])
            routeAdded = true
            let routed = ContinuousClock.now - requested
            let routeTook = ContinuousClock.now - routeStarted
            try Task.checkCancellation()
            row.pending = nil
            row.ready = true
            try await store.updateServer(row)
            let total = ContinuousClock.now - requested
            // A stop that arrived meanwhile owns the slot now (it waits for this task, then stops the server).
            slots.withLock { slots in
                guard slots[key]?.pending == .spawn else { return }
                slots[key]?.row = row
                slots[key]?.pending = nil
                slots[key]?.ready = true
                slots[key]?.spawnTask = nil
                slots[key]?.timings.ready = readyAfter
                slots[key]?.timings.total = total
            }
            logger.info("User \(ServerNaming.logName(user: userName, server: key.name)) took \(total) to start")
            // Where a slow start spent its time (after the request): recorded = first write committed, started =
            // spawner returned, ready = probe answered, routed = route added, total = ready write committed.
            logger.debug("Spawn timeline of \(ServerNaming.logName(user: userName, server: key.name))", metadata: [
                "recorded": "\(recorded - requested)", "started": "\(started)", "ready": "\(readyAfter)",
                "routed": "\(routed)", "route": "\(routeTook)", "total": "\(total)"])
            // Cached whoami bodies (`GET /user`) list the user's servers: let them see this one at once. Only this
            // user's identities embed the row; everyone else's (a service's above all) stay cached.
            invalidateIdentities(key.userID)
            outcome.resolve(.ready)
        } catch {
            // Exactly one of this task and a stop request cleans up: whoever moves the slot off `spawn` first.
            let claimed = slots.withLock { slots -> Bool in
                guard slots[key]?.pending == .spawn else { return false }
                slots[key]?.pending = .stop
                slots[key]?.spawnTask = nil
                return true
            }
            if !claimed {
                // A stop request cancelled this spawn and owns the clean-up.
                outcome.resolve(.cancelled)
                return
            }
            let message = Self.describe(error)
            logger.error("Error starting \(ServerNaming.logName(user: userName, server: key.name))'s server: \(message)")
            await cleanUpFailedSpawn(key, userName: userName, spawner: spawner, row: row, routeAdded: routeAdded)
            outcome.resolve(.failed(message))
        }
    }

    /// After a failed start: route removed, spawner stopped at once, credentials deleted, row marked stopped.
    private func cleanUpFailedSpawn(_ key: ServerKey, userName: String, spawner: any Spawner, row: Server, routeAdded: Bool) async {
        if routeAdded {
            do { try await routing.registrar.delete(routeSpec(user: userName, server: key.name)) } catch {
                logger.error("Failed to delete route of \(userName)'s failed server: \(error)")
            }
        }
        do { try await spawner.stop(now: true) } catch {
            logger.error("Failed to clean up \(ServerNaming.logName(user: userName, server: key.name))'s server that failed to start: \(error)")
        }
        await finishStopped(key, userName: userName, spawner: spawner, row: row)
    }

    /// A new server token (note `Server at <prefix>`, scopes of the `server` role) and the OAuth client
    /// `jupyterhub-user-…` whose secret is that token, ready to store with the spawn's first write. (Leftovers of a
    /// crashed run are removed by the stop that start-up recovery performs, not here: a storm of starts should not
    /// pay a token scan each.) Storing them needs no identity-cache invalidation: a new token and client change no
    /// existing token's rights.
    func serverCredentials(userID: UserID, userName: String, serverName: String) throws -> (token: String, stored: ServerCredentials) {
        let note = environment.note(user: userName, server: serverName)
        let token = try TokenGenerator.hexToken()
        let hash = try TokenHash(hashing: token, origin: .generated)
        let ref = ServerRef(user: userName, name: serverName)
        // The client secret is that same generated 128-bit token (stored with one round as the API token), so
        // 16384 rounds would add no strength and cost ~1 ms per spawn.
        return (token, ServerCredentials(
            token: NewAPIToken(prefix: TokenRules.prefix(of: token), hashed: hash.description, owner: .user(userID),
                               scopes: SpawnEnvironment.serverTokenScopes(user: userName, server: serverName), note: note),
            clientIdentifier: OAuthClientIDs.forServer(ref), clientDescription: note, clientSecretHash: hash.description,
            redirectURI: environment.urls.serverURL(user: userName, server: serverName) + "oauth_callback",
            allowedScopes: ["access:servers!server=\(ref)"]))
    }

    /// Deletes the server's token(s) and OAuth client (with every token issued through it).
    func deleteServerCredentials(userID: UserID, userName: String, serverName: String) async throws {
        let note = environment.note(user: userName, server: serverName)
        var changed = false
        for token in try await store.tokens(of: .user(userID)) where token.note == note && token.clientID == OAuthClientIDs.hub {
            try? await store.deleteToken(id: token.id)
            changed = true
        }
        let client = OAuthClientIDs.forServer(ServerRef(user: userName, name: serverName))
        do {
            try await store.deleteOAuthClient(identifier: client)
            changed = true
        } catch StoreError.notFound {}
        if changed { identitiesChanged() }
    }

    /// A failure as users read it after "Spawn failed: ".
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as SpawnerError: return error.message
        case let error as ProbeFailure: return error.description
        case let error as ProxyError: return "could not add the proxy route: \(error.message)"
        case let error as HubError: return error.message ?? error.status.reasonPhrase
        default: return "\(error)"
        }
    }
}

