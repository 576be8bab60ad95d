import CSystem
import Glibc

/// A file descriptor registered once with its loop's epoll, edge-triggered for input and output.
/// Readiness is tracked in two flags: a reader that drained the fd (EAGAIN, or a short read)
/// parks its continuation here and the next edge resumes it. No wake-up can be lost: edges are
/// dispatched on the loop thread, the same thread that stores continuations, and any data that
/// arrives after the draining read raises a new edge. Registering once (no per-wait
/// `epoll_ctl`) saves a system call per wait compared with one-shot re-arming. Loop-confined.
final class IOHandle {
    let fd: Int32
    // Strong: a socket outliving its group must still find its loop to close on (and it is cheaper than unowned).
    let loop: EventLoop
    var slot = -1
    var generation: UInt32 = 0
    /// The fd may have input (or EOF/error) not yet consumed; false once a read found it drained.
    var readReady = true
    /// The fd may accept output; false once a write found the socket buffer full.
    var writeReady = true
    /// The peer shut down its side (EPOLLRDHUP/HUP/ERR seen). Sticky: the edge that carried the last
    /// data may also have carried the FIN, and no further edge will come, so a short read must not
    /// park the reader — the next read returns EOF instead of waiting forever.
    private(set) var peerHungUp = false
    private var reader: UnsafeContinuation<Void, any Error>?
    private var writer: UnsafeContinuation<Void, any Error>?
    private var readTimer: LoopTimer?
    private var writeTimer: LoopTimer?
    private var registrationError: IOError?
    /// Called on an input edge when no task waits (listeners, idle pooled connections).
    var onReadable: (() -> Void)?
    /// Called once when the handle closes (a relay waiting in `onReadable` must hear of it).
    var onClose: (() -> Void)?
    private(set) var isClosed = false

    init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
        loop.register(self)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = UInt64(generation) << 32 | UInt64(UInt32(truncatingIfNeeded: slot))
        if epoll_ctl(loop.epollFD, EPOLL_CTL_ADD, fd, &event) != 0 {
            registrationError = .errno(errno, "epoll_ctl")
        }
    }

    /// Waits for the next input edge (the caller just found the fd drained), the deadline, or close.
    nonisolated(nonsending) func waitReadable(deadline: UInt64?) async throws {
        if isClosed { throw IOError.closed }
        if let registrationError { throw registrationError }
        readReady = false
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            reader = continuation
            if let deadline {
                // Created once (see ClientConnection.park on why not `??`).
                if readTimer == nil {
                    readTimer = LoopTimer { [unowned self] in
                        if let waiting = self.reader { self.reader = nil; waiting.resume(throwing: IOError.timedOut) }
                    }
                }
                loop.arm(readTimer!, at: deadline)
            }
        }
    }

    /// Waits for the next output edge (the caller just found the socket buffer full).
    nonisolated(nonsending) func waitWritable(deadline: UInt64?) async throws {
        if isClosed { throw IOError.closed }
        if let registrationError { throw registrationError }
        writeReady = false
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            writer = continuation
            if let deadline {
                if writeTimer == nil {
                    writeTimer = LoopTimer { [unowned self] in
                        if let waiting = self.writer { self.writer = nil; waiting.resume(throwing: IOError.timedOut) }
                    }
                }
                loop.arm(writeTimer!, at: deadline)
            }
        }
    }

    /// Starts watching for input with `onReadable`: calls it now if input (or EOF) may already be
    /// pending, else on the next edge. Edges can be stale (input a task already read), so a
    /// callback that must be sure checks `hasPendingInput()`.
    func watchReadable() {
        guard !isClosed, let callback = onReadable else { return }
        if readReady { callback() }
    }

    /// Whether input or EOF is really waiting on this socket (a non-consuming peek); updates `readReady`.
    func hasPendingInput() -> Bool {
        if isClosed { return false }
        var byte: UInt8 = 0
        let peeked = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            readReady = false
            return false
        }
        return true  // data, EOF (0) or an error: all mean the idle socket is not clean
    }

    /// Dispatch from the loop: an edge happened; wake the waiters it concerns.
    func handleEvents(_ events: UInt32) {
        let failed = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        if failed || events & EPOLLRDHUP.rawValue != 0 { peerHungUp = true }
        if failed || events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            readReady = true
            if let waiting = reader {
                reader = nil
                if let readTimer { loop.disarm(readTimer) }
                waiting.resume()
            } else if let callback = onReadable {
                callback()
            }
        }
        if failed || events & EPOLLOUT.rawValue != 0 {
            writeReady = true
            if let waiting = writer {
                writer = nil
                if let writeTimer { loop.disarm(writeTimer) }
                waiting.resume()
            }
        }
    }

    /// Closes the fd and fails any waiter with `IOError.closed`. Idempotent.
    func close() {
        if isClosed { return }
        isClosed = true
        onReadable = nil
        if let readTimer { loop.cancel(readTimer) }
        if let writeTimer { loop.cancel(writeTimer) }
        loop.unregister(self)
        Glibc.close(fd)
        if let waiting = reader { reader = nil; waiting.resume(throwing: IOError.closed) }
        if let waiting = writer { writer = nil; waiting.resume(throwing: IOError.closed) }
        if let closed = onClose { onClose = nil; closed() }
    }

    /// True while a task is suspended waiting to read.
    var hasReader: Bool { reader != nil }
}
