// Stopping a server (contract §7), the reverse of a start: proxy route deleted → Spawner.stop → server token and
// OAuth client deleted → `started` cleared (the row itself stays unless removal was asked for). A stop that
// interrupts a pending spawn cancels it first. The API waits `slow_stop_timeout`, then answers 202.
import Auth
import Spawners
import Store

/// What a stop request led to.
public enum StopRequestResult: Sendable, Equatable {
    /// Stopped (204).
    case stopped
    /// Still stopping (202).
    case pending
}

extension ServerManager {
    /// Stops `user`'s server `serverName`; with `remove`, deletes its row once stopped. Waits up to
    /// `slow_stop_timeout`. Throws `HubError` 400 (renaming), 500 (the stop failed within the wait).
    public func stop(user: User, serverName: String, remove: Bool = false) async throws -> StopRequestResult {
        let key = ServerKey(userID: user.id, name: serverName)
        let logName = ServerNaming.logName(user: user.name, server: serverName)
        enum Plan { case idle, alreadyStopping, stop(Outcome<StopResult>, Task<Void, Never>?) }
        let plan: Plan = try slots.withLock { slots throws(HubError) -> Plan in
            guard var slot = slots[key], slot.isActive else { return .idle }
            switch slot.pending {
            case .stop?:
                if remove { slots[key]?.removeAfterStop = true }
                return .alreadyStopping
            case .rename?:
                throw HubError.badRequest("Cannot stop a server while it is being renamed")
            default:
                let interrupted = slot.pending == nil ? nil : slot.spawnTask
                if interrupted != nil { logger.warning("Interrupting spawner \(logName), pending \(slot.pending?.rawValue ?? "")") }
                let outcome = Outcome<StopResult>()
                slot.pending = .stop
                slot.ready = false
                slot.stop = outcome
                slot.removeAfterStop = remove
                slots[key] = slot
                return .stop(outcome, interrupted)
            }
        }
        switch plan {
        case .idle:
            if remove { try await removeRow(key) }
            return .stopped
        case .alreadyStopping:
            return .pending
        case .stop(let outcome, let interrupted):
            runInBackground { [self] in await runStop(key, interrupting: interrupted, alreadyExited: false) }
            guard let result = await outcome.wait(timeout: configuration.jupyterHub.slowStopTimeout) else { return .pending }
            if case .failed(let message) = result {
                throw HubError(.internalServerError, "Failed to stop \(logName)'s server: \(message)")
            }
            return .stopped
        }
    }

    /// Stops every active server of `user` and waits until all are stopped (for deleting the user).
    public func stopAll(user: User) async throws {
        let names = slots.withLock { slots in
            slots.compactMap { key, slot in key.userID == user.id && slot.isActive ? key.name : nil }
        }
        for name in names {
            let key = ServerKey(userID: user.id, name: name)
            _ = try await stop(user: user, serverName: name)
            if let outcome = slots.withLock({ $0[key]?.stop }), case .failed(let message)? = await outcome.wait() {
                throw HubError(.internalServerError, "Failed to stop \(ServerNaming.logName(user: user.name, server: name))'s server: \(message)")
            }
        }
    }

    /// Forgets servers of a deleted user (their rows went with the user).
    public func forget(userID: UserID) {
        slots.withLock { slots in
            for key in slots.keys where key.userID == userID { slots.removeValue(forKey: key) }
        }
    }

    /// A server found dead (poll returned an exit status): route removed and state cleaned, as JupyterHub's
    /// `user_stopped` does. Does nothing if the server is already in another transition.
    func stopExited(_ key: ServerKey) async {
        let claimed = slots.withLock { slots -> Bool in
            guard var slot = slots[key], slot.ready, slot.pending == nil else { return false }
            slot.pending = .stop
            slot.ready = false
            slot.stop = Outcome<StopResult>()
            slot.removeAfterStop = false
            slots[key] = slot
            return true
        }
        if claimed { await runStop(key, interrupting: nil, alreadyExited: true) }
    }

    /// The stop sequence for a slot already marked pending `stop`.
    func runStop(_ key: ServerKey, interrupting spawnTask: Task<Void, Never>?, alreadyExited: Bool) async {
        if let spawnTask {
            spawnTask.cancel()
            await spawnTask.value
        }
        guard let slot = slots.withLock({ $0[key] }) else { return }
        let logName = ServerNaming.logName(user: slot.userName, server: key.name)
        var stored = slot.row
        if stored == nil { stored = try? await store.server(userID: key.userID, name: key.name) }
        guard var row = stored else {
            // Stopped between admission and the start's first write: nothing was recorded or started.
            slots.withLock { slots in
                slots[key]?.pending = nil
                slots[key]?.ready = false
                slots[key]?.spawnTask = nil
            }
            slot.stop?.resolve(.stopped)
            return
        }
        row.pending = .stop
        row.ready = false
        do { try await store.updateServer(row) } catch {
            logger.error("Could not record the stop of \(logName): \(error)")
        }
        var failure: String?
        do { try await routing.registrar.delete(routeSpec(user: slot.userName, server: key.name)) } catch {
            logger.error("Failed to delete route of \(logName): \(error)")
            failure = "could not delete the proxy route: \(error)"
        }
        if alreadyExited {
            let status = await slot.spawner.poll()
            logger.warning("User \(logName) server stopped, with exit code: \(status.map(String.init) ?? "unknown")")
        } else {
            // An interrupted start may have half-started something, so it is always stopped.
            let stillRunning = spawnTask != nil ? true : await slot.spawner.poll() == nil
            if stillRunning {
                do {
                    try await withDeadline(configuration.spawner.startTimeout) { try await slot.spawner.stop(now: false) }
                } catch {
                    let reason = error is DeadlineExceeded ? "did not stop within the start timeout" : Self.describe(error)
                    logger.error("Failed to stop \(logName): \(reason)")
                    failure = reason
                }
            }
        }
        await finishStopped(key, userName: slot.userName, spawner: slot.spawner, row: row)
        // The slot may be gone (removed with its row): resolve the outcome the waiters hold.
        slot.stop?.resolve(failure.map(StopResult.failed) ?? .stopped)
    }

    /// Common end of every stop: credentials deleted, spawner state cleared, row marked stopped (or removed when
    /// asked), slot idle. Credentials go even when the spawner failed to stop: a server the hub lost track of
    /// must not keep a working token.
    func finishStopped(_ key: ServerKey, userName: String, spawner: any Spawner, row initial: Server) async {
        let logName = ServerNaming.logName(user: userName, server: key.name)
        do { try await deleteServerCredentials(userID: key.userID, userName: userName, serverName: key.name) } catch {
            logger.error("Failed to delete the token of \(logName)'s server: \(error)")
        }
        spawner.clearState()
        var row = initial
        row.pending = nil
        row.ready = false
        row.started = nil
        row.url = nil
        row.ip = nil
        row.port = nil
        row.state = (try? SpawnerStateCoding.text(spawner.state())) ?? .empty
        let remove = slots.withLock { $0[key]?.removeAfterStop ?? false }
        do {
            try await store.updateServer(row)
            try await store.bumpServerActivity([row.id: Timestamp.now()])
            if remove {
                try await store.deleteServer(id: row.id)
                identitiesChanged()  // shares of the server went with it
            }
        } catch StoreError.notFound {
            // The row (or its user) was deleted meanwhile; nothing left to record.
        } catch {
            logger.error("Could not record that \(logName)'s server stopped: \(error)")
        }
        slots.withLock { slots in
            if remove {
                slots.removeValue(forKey: key)
            } else {
                slots[key]?.row = row
                slots[key]?.pending = nil
                slots[key]?.ready = false
                slots[key]?.address = nil
                slots[key]?.spawnTask = nil
            }
        }
    }

    private func removeRow(_ key: ServerKey) async throws {
        if let row = try await store.server(userID: key.userID, name: key.name) {
            try await store.deleteServer(id: row.id)
            identitiesChanged()  // shares of the server went with it
        }
        slots.withLock { _ = $0.removeValue(forKey: key) }
    }
}

extension ServerManager {
    /// Forgets one idle server (after a rename, its spawner object belongs to the old name).
    public func forget(userID: UserID, serverName: String) {
        slots.withLock { slots in
            let key = ServerKey(userID: userID, name: serverName)
            if slots[key]?.isActive == false { slots.removeValue(forKey: key) }
        }
    }
}
