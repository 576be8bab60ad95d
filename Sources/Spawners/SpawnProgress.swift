// Progress of a start, as the progress SSE stream shows it. Several browser tabs may follow one spawn and may
// join late, so a spawner records its events in a `ProgressLog` that replays them to every new listener and
// follows live until the start ends.
import Synchronization

/// One progress event reported by a spawner while it starts a server.
public struct SpawnProgress: Sendable, Hashable {
    /// 0–100, or nil when the spawner cannot estimate.
    public var progress: Int?
    /// Plain-text message.
    public var message: String
    /// HTML message (escaped by the spawner), shown instead of `message` when present.
    public var htmlMessage: String?

    /// An event; `progress` is clamped to 0–100.
    public init(progress: Int?, message: String, htmlMessage: String? = nil) {
        self.progress = progress.map { min(100, max(0, $0)) }
        self.message = message
        self.htmlMessage = htmlMessage
    }
}

/// The events of the start in flight, for any number of listeners joining at any time.
public final class ProgressLog: Sendable {
    private struct Listener {
        let id: Int
        let continuation: AsyncStream<SpawnProgress>.Continuation
    }

    private struct Contents {
        var events: [SpawnProgress] = []
        var finished = true
        var listeners: [Listener] = []
        var nextID = 0
    }

    /// A bound on the replay buffer: a spawner stuck in a retry loop must not grow it without end.
    public static let maxEvents = 1000
    private let contents = Mutex(Contents())

    /// An empty log with no start in flight.
    public init() {}

    /// Begins a new start: forgets the previous start's events; listeners of the previous start are finished.
    public func begin() {
        let old = contents.withLock { contents -> [Listener] in
            let listeners = contents.listeners
            contents = Contents(events: [], finished: false, listeners: [], nextID: contents.nextID)
            return listeners
        }
        for listener in old { listener.continuation.finish() }
    }

    /// Records `event` and hands it to every listener.
    public func report(_ event: SpawnProgress) {
        // Yielding under the lock keeps every listener's order equal to the log's order.
        contents.withLock { contents in
            guard !contents.finished else { return }
            if contents.events.count >= Self.maxEvents { contents.events.removeFirst() }
            contents.events.append(event)
            for listener in contents.listeners { listener.continuation.yield(event) }
        }
    }

    /// Ends the start: every listener's stream finishes; later listeners get the replay only.
    public func finish() {
        let listeners = contents.withLock { contents -> [Listener] in
            contents.finished = true
            defer { contents.listeners = [] }
            return contents.listeners
        }
        for listener in listeners { listener.continuation.finish() }
    }

    /// The events so far, in order.
    public var events: [SpawnProgress] { contents.withLock { $0.events } }

    /// A stream replaying the events so far, then following live until `finish()`.
    public func stream() -> AsyncStream<SpawnProgress> {
        let (stream, continuation) = AsyncStream<SpawnProgress>.makeStream(bufferingPolicy: .unbounded)
        let id = contents.withLock { contents -> Int in
            defer { contents.nextID += 1 }
            return contents.nextID
        }
        // Set before registering, so a listener that goes away at once is still unregistered.
        continuation.onTermination = { [weak self] _ in
            self?.contents.withLock { contents in contents.listeners.removeAll { $0.id == id } }
        }
        let live = contents.withLock { contents -> Bool in
            for event in contents.events { continuation.yield(event) }
            if !contents.finished { contents.listeners.append(Listener(id: id, continuation: continuation)) }
            return !contents.finished
        }
        if !live { continuation.finish() }
        return stream
    }
}
