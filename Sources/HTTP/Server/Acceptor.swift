import CSystem
import Glibc

/// A listening socket on one loop: accepts in batches when readable, backs off on EMFILE/ENFILE
/// (never spins), and pauses while the server is at `maxConnections`. Loop-confined.
final class Acceptor {
    private let handle: IOHandle
    private unowned let server: ServerCore
    private var backoffTimer: LoopTimer?
    private var cursor = 0
    /// Hand connections to every loop in turn (the only listener), rather than serving them here.
    private let roundRobin: Bool

    init(fd: Int32, loop: EventLoop, server: ServerCore, roundRobin: Bool) {
        handle = IOHandle(fd: fd, loop: loop)
        self.server = server
        self.roundRobin = roundRobin
    }

    /// Accepts now and on every later edge: after start, after a back-off, when capacity frees up.
    /// (Edge-triggered: connections already queued raise no new edge, so each resume drains them.)
    func resume() {
        guard !handle.isClosed else { return }
        handle.onReadable = { [unowned self] in self.acceptBatch() }
        acceptBatch()
    }

    func close() {
        if let backoffTimer { handle.loop.disarm(backoffTimer) }
        handle.close()
    }

    private func acceptBatch() {
        guard !handle.isClosed, handle.onReadable != nil else { return }
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        for _ in 0..<128 {
            if server.atCapacity { return }  // resumed by the server when a connection closes
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { csystem_accept4(handle.fd, $0, &length, flags) }
            }
            if fd < 0 {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK:
                    return  // drained: the next connection raises an edge
                case EINTR, ECONNABORTED, EPROTO, EPERM:
                    continue
                default:
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: out of resources. Pending connections stay in the
                    // backlog; try again shortly rather than spinning on a listener that stays readable.
                    server.logger.warning("accept failed; pausing 100 ms",
                                          metadata: ["error": "\(IOError.errno(code, "accept4"))"])
                    backOff()
                    return
                }
            }
            let remote = SocketAddress(storage: storage)
            if case .unix = remote {} else { Socket.setNoDelay(fd) }
            dispatch(fd: fd, remote: remote)
        }
        // Batch used up with connections possibly still queued: continue after other work runs.
        let loop = handle.loop
        nonisolated(unsafe) let acceptor = self
        loop.execute { acceptor.acceptBatch() }
    }

    /// Serves on this loop, or (single-listener mode) round-robin across the group.
    private func dispatch(fd: Int32, remote: SocketAddress?) {
        let loops = server.group.loops
        if !roundRobin {
            server.startConnection(fd: fd, remote: remote, on: handle.loop)
            return
        }
        cursor = (cursor + 1) % loops.count
        let target = loops[cursor]
        if target === handle.loop {
            server.startConnection(fd: fd, remote: remote, on: target)
        } else {
            let server = self.server
            target.execute { server.startConnection(fd: fd, remote: remote, on: target) }
        }
    }

    private func backOff() {
        handle.onReadable = nil  // edges during the pause are ignored; resume() drains the backlog
        if backoffTimer == nil { backoffTimer = LoopTimer { [unowned self] in self.resume() } }
        let timer = backoffTimer!
        handle.loop.arm(timer, after: .milliseconds(100))
    }
}
