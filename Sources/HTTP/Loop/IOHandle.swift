import CSystem
import Glibc

/// A file descriptor registered with one loop. A task that hits EAGAIN stores its continuation
/// here and then arms EPOLLONESHOT interest (store before arm: the event cannot be lost, since
/// events are only dispatched on this same thread). Loop-confined.
final class IOHandle {
    let fd: Int32
    unowned let loop: EventLoop
    var slot = -1
    var generation: UInt32 = 0
    private var inEpoll = false
    private var reader: UnsafeContinuation<Void, any Error>?
    private var writer: UnsafeContinuation<Void, any Error>?
    private var readTimer: LoopTimer?
    private var writeTimer: LoopTimer?
    /// Called on readiness when no task waits (listeners, idle pooled connections).
    var onReadable: (() -> Void)?
    private(set) var isClosed = false

    init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
        loop.register(self)
    }

    private var token: UInt64 { UInt64(generation) << 32 | UInt64(UInt32(truncatingIfNeeded: slot)) }

    /// Suspends until the fd is readable (or hung up), the deadline passes, or the handle closes.
    func waitReadable(deadline: UInt64?) async throws {
        if isClosed { throw IOError.closed }
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            reader = continuation
            if let deadline {
                let timer = readTimer ?? LoopTimer { [unowned self] in
                    if let waiting = self.reader { self.reader = nil; waiting.resume(throwing: IOError.timedOut) }
                }
                readTimer = timer
                loop.arm(timer, at: deadline)
            }
            if let error = updateInterest() {
                reader = nil
                if let readTimer { loop.disarm(readTimer) }
                continuation.resume(throwing: error)
            }
        }
    }

    /// Suspends until the fd is writable, the deadline passes, or the handle closes.
    func waitWritable(deadline: UInt64?) async throws {
        if isClosed { throw IOError.closed }
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            writer = continuation
            if let deadline {
                let timer = writeTimer ?? LoopTimer { [unowned self] in
                    if let waiting = self.writer { self.writer = nil; waiting.resume(throwing: IOError.timedOut) }
                }
                writeTimer = timer
                loop.arm(timer, at: deadline)
            }
            if let error = updateInterest() {
                writer = nil
                if let writeTimer { loop.disarm(writeTimer) }
                continuation.resume(throwing: error)
            }
        }
    }

    /// Arms one-shot read interest for the `onReadable` callback.
    func armReadCallback() {
        _ = updateInterest()
    }

    /// (Re)arms the union of what waiters need, as one-shot interest.
    private func updateInterest() -> IOError? {
        var events: UInt32 = 0
        if reader != nil || onReadable != nil { events |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if writer != nil { events |= EPOLLOUT.rawValue }
        if events == 0 { return nil }
        var event = epoll_event()
        event.events = events | EPOLLONESHOT.rawValue
        event.data.u64 = token
        let op = inEpoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD
        if epoll_ctl(loop.epollFD, op, fd, &event) != 0 {
            let code = errno
            if code == ENOENT, op == EPOLL_CTL_MOD, epoll_ctl(loop.epollFD, EPOLL_CTL_ADD, fd, &event) == 0 {
                return nil
            }
            return .errno(code, "epoll_ctl")
        }
        inEpoll = true
        return nil
    }

    /// Dispatch from the loop: one-shot interest is now disabled; wake the waiters it concerns.
    func handleEvents(_ events: UInt32) {
        let failed = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        let readable = failed || events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0
        let writable = failed || events & EPOLLOUT.rawValue != 0
        var resumed = false
        if readable, let waiting = reader {
            reader = nil
            if let readTimer { loop.disarm(readTimer) }
            waiting.resume()
            resumed = true
        }
        if writable, let waiting = writer {
            writer = nil
            if let writeTimer { loop.disarm(writeTimer) }
            waiting.resume()
            resumed = true
        }
        if readable, !resumed, reader == nil, let callback = onReadable {
            callback()
        }
        // A waiter whose event did not fire still needs interest.
        if reader != nil || writer != nil { _ = updateInterest() }
    }

    /// Closes the fd and fails any waiter with `IOError.closed`. Idempotent.
    func close() {
        if isClosed { return }
        isClosed = true
        onReadable = nil
        if let readTimer { loop.disarm(readTimer) }
        if let writeTimer { loop.disarm(writeTimer) }
        loop.unregister(self)
        Glibc.close(fd)
        if let waiting = reader { reader = nil; waiting.resume(throwing: IOError.closed) }
        if let waiting = writer { writer = nil; waiting.resume(throwing: IOError.closed) }
    }

    /// True while a task is suspended waiting to read.
    var hasReader: Bool { reader != nil }
}
