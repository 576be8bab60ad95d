import CSystem
import Glibc

/// A fixed set of event loops, one thread each; work is spread round-robin.
public final class EventLoopGroup: Sendable {
    /// The loops, in index order.
    public let loops: [EventLoop]
    private let cursor = Cursor()

    /// Starts `threads` loops (default: one per core).
    public init(threads: Int = EventLoopGroup.coreCount) throws {
        csystem_ignore_sigpipe()
        var loops: [EventLoop] = []
        for index in 0..<max(1, threads) {
            let loop = try EventLoop(index: index)
            try loop.start()
            loops.append(loop)
        }
        self.loops = loops
    }

    /// Online processors, at least 1.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// A loop for new work, round-robin.
    public func next() -> EventLoop {
        loops[cursor.advance() % loops.count]
    }

    /// The calling thread's loop when it is one of ours, else the next one.
    public func currentOrNext() -> EventLoop {
        if let current = EventLoop.current, loops.contains(where: { $0 === current }) { return current }
        return next()
    }

    /// Stops every loop and waits for its thread. Sockets still open are abandoned, so shut
    /// servers and clients down first. Must not be called from one of the group's loops.
    public func shutdown() {
        for loop in loops { loop.requestStop() }
        for loop in loops { loop.join() }
    }

    private final class Cursor: @unchecked Sendable {
        private let lock = PThreadLock()
        private var value = 0
        func advance() -> Int { lock.withLock { value &+= 1; return value & Int.max } }
    }
}
