import CSystem
import Glibc

/// A connected stream socket (optionally TLS) with async reads and writes on its loop.
/// Loop-confined: every method runs on `loop`'s thread.
final class SocketChannel: @unchecked Sendable {
    let handle: IOHandle
    var tls: TLSSession?
    /// Longest a write may wait for the peer to take bytes; nil waits forever.
    var writeTimeout: Duration?

    var loop: EventLoop { handle.loop }
    var fd: Int32 { handle.fd }
    var isClosed: Bool { handle.isClosed }

    init(fd: Int32, loop: EventLoop, tls: TLSSession? = nil) {
        handle = IOHandle(fd: fd, loop: loop)
        self.tls = tls
    }

    deinit {
        // Last reference gone without close (an abandoned body or stream): never leak the fd.
        if !handle.isClosed {
            let handle = self.handle
            if handle.loop.inEventLoop { handle.close() } else {
                nonisolated(unsafe) let leaked = handle
                handle.loop.execute { leaked.close() }
            }
        }
    }

    /// Reads what is available (waiting up to `deadline`) and hands it to `consume` before the
    /// next suspension; nil at end of stream. The bytes live in the loop's shared buffer.
    nonisolated(nonsending) func read<R>(deadline: UInt64?, _ consume: (UnsafeRawBufferPointer) throws -> R) async throws -> R? {
        let scratch = loop.scratch
        while true {
            if let tls {
                switch tls.read(into: scratch) {
                case .done(let count):
                    return try consume(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                case .wantRead: try await handle.waitReadable(deadline: deadline)
                case .wantWrite: try await handle.waitWritable(deadline: deadline)
                case .closed: return nil
                case .failed(let message): throw TLSError(message)
                }
                continue
            }
            if !handle.readReady {
                try await handle.waitReadable(deadline: deadline)
                continue
            }
            // recv, not read: a socket read through the VFS layer (vfs_read, fdget_pos) costs more
            // kernel time per call, and this runs for every message either way.
            let count = recv(handle.fd, scratch.baseAddress, scratch.count, 0)
            if count > 0 {
                // A short read drained the socket: the next read waits for an edge instead of
                // spending a system call on EAGAIN (data arriving meanwhile raises a new edge).
                if count < scratch.count && !handle.peerHungUp { handle.readReady = false }
                return try consume(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            }
            if count == 0 { return nil }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK {
                try await handle.waitReadable(deadline: deadline)
            } else if code != EINTR {
                if handle.isClosed { throw IOError.closed }
                throw IOError.isDisconnect(code) ? IOError.connectionReset : IOError.errno(code, "read")
            }
        }
    }

    /// Reads available bytes into a new array; nil at end of stream.
    func readArray(deadline: UInt64?) async throws -> [UInt8]? {
        try await read(deadline: deadline) { Array($0) }
    }

    private var writeDeadline: UInt64? {
        writeTimeout.map { MonotonicClock.deadline(after: $0, from: loop.now) }
    }

    private enum Progress { case wrote(Int), wantRead, wantWrite }

    /// One non-blocking write attempt.
    private func attemptWrite(_ buffer: UnsafeRawBufferPointer) throws -> Progress {
        if let tls {
            switch tls.write(buffer) {
            case .done(let count): return .wrote(count)
            case .wantRead: return .wantRead
            case .wantWrite: return .wantWrite
            case .closed: throw IOError.connectionReset
            case .failed(let message): throw TLSError(message)
            }
        }
        while true {
            let written = send(handle.fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if written >= 0 { return .wrote(written) }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { return .wantWrite }
            if code == EINTR { continue }
            if handle.isClosed { throw IOError.closed }
            throw IOError.isDisconnect(code) ? IOError.connectionReset : IOError.errno(code, "send")
        }
    }

    /// One non-blocking gather write of `first` then `second` (plain sockets; TLS writes `first`).
    private func attemptWrite(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) throws -> Progress {
        if tls != nil || first.isEmpty || second.isEmpty {
            return try attemptWrite(first.isEmpty ? second : first)
        }
        var vectors = [
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count),
        ]
        while true {
            let written = writev(handle.fd, &vectors, 2)
            if written >= 0 { return .wrote(written) }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { return .wantWrite }
            if code == EINTR { continue }
            if handle.isClosed { throw IOError.closed }
            throw IOError.isDisconnect(code) ? IOError.connectionReset : IOError.errno(code, "writev")
        }
    }

    nonisolated(nonsending) private func wait(for progress: Progress) async throws {
        switch progress {
        case .wrote: return
        case .wantRead: try await handle.waitReadable(deadline: writeDeadline)
        case .wantWrite: try await handle.waitWritable(deadline: writeDeadline)
        }
    }

    /// Writes what the socket takes right now, without waiting (plain sockets only); returns the
    /// number of bytes written, fewer than `buffer.count` when the socket buffer filled up.
    func writeNow(_ buffer: UnsafeRawBufferPointer) throws -> Int {
        precondition(tls == nil, "writeNow is for plain sockets")
        var offset = 0
        while offset < buffer.count && handle.writeReady {
            switch try attemptWrite(UnsafeRawBufferPointer(rebasing: buffer[offset...])) {
            case .wrote(let count): offset += count
            case .wantRead, .wantWrite: handle.writeReady = false
            }
        }
        return offset
    }

    /// Writes every byte, waiting (up to `writeTimeout` per wait) while the peer is not reading.
    nonisolated(nonsending) func write(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            if !handle.writeReady && tls == nil {
                try await handle.waitWritable(deadline: writeDeadline)
                continue
            }
            let progress = try bytes.withUnsafeBytes { try attemptWrite(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            if case .wrote(let count) = progress { offset += count } else { try await wait(for: progress) }
        }
    }

    /// Writes `first` then `second`, in one system call when they fit (head plus body).
    nonisolated(nonsending) func write(_ first: [UInt8], _ second: [UInt8]) async throws {
        var offset = 0
        let total = first.count + second.count
        while offset < total {
            if !handle.writeReady && tls == nil {
                try await handle.waitWritable(deadline: writeDeadline)
                continue
            }
            let progress = try first.withUnsafeBytes { a in
                try second.withUnsafeBytes { b in
                    if offset < first.count {
                        return try attemptWrite(UnsafeRawBufferPointer(rebasing: a[offset...]), b)
                    }
                    return try attemptWrite(UnsafeRawBufferPointer(rebasing: b[(offset - first.count)...]))
                }
            }
            if case .wrote(let count) = progress { offset += count } else { try await wait(for: progress) }
        }
    }

    /// Runs the TLS handshake, if this channel is TLS.
    nonisolated(nonsending) func handshake(deadline: UInt64?) async throws {
        guard let tls else { return }
        while true {
            switch tls.handshake() {
            case .done: return
            case .wantRead: try await handle.waitReadable(deadline: deadline)
            case .wantWrite: try await handle.waitWritable(deadline: deadline)
            case .closed: throw IOError.connectionReset
            case .failed(let message): throw TLSError(message)
            }
        }
    }

    /// Half-closes for writing (TLS: sends close_notify first).
    func shutdownWrite() {
        if handle.isClosed { return }
        tls?.shutdown()
        Glibc.shutdown(handle.fd, Int32(SHUT_WR))
    }

    /// Closes the socket and fails any waiting read or write. Idempotent.
    func close() {
        handle.close()
        tls = nil
    }
}
