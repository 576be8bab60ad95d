import Glibc

/// A raw byte stream over a connected socket: the client side after `101 Switching Protocols`, or
/// an upgraded upstream connection. Safe to call from any task (operations hop to the loop);
/// one reader and one writer may run concurrently.
final class ChannelByteStream: ByteStream, @unchecked Sendable {
    fileprivate let channel: SocketChannel
    fileprivate var pending: [UInt8]

    init(channel: SocketChannel, initialBytes: [UInt8]) {
        self.channel = channel
        pending = initialBytes
    }

    func read() async throws -> [UInt8]? {
        let loop = channel.loop
        if !loop.inEventLoop { return try await withTaskExecutorPreference(loop) { try await self.read() } }
        if !pending.isEmpty {
            defer { pending = [] }
            return pending
        }
        if channel.isClosed { return nil }
        do {
            return try await channel.readArray(deadline: nil)
        } catch IOError.connectionReset, IOError.closed {
            return nil
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        let loop = channel.loop
        if !loop.inEventLoop { return try await withTaskExecutorPreference(loop) { try await self.write(bytes) } }
        try await channel.write(bytes)
    }

    func closeWrite() async {
        let loop = channel.loop
        if !loop.inEventLoop { return await withTaskExecutorPreference(loop) { await self.closeWrite() } }
        channel.shutdownWrite()
    }

    func close() async {
        let loop = channel.loop
        if !loop.inEventLoop { return await withTaskExecutorPreference(loop) { await self.close() } }
        channel.close()
    }
}

/// Copies one direction of a tunnel (a WebSocket after `101`).
public enum ByteRelay {
    /// Copies from `source` to `sink` until the source ends or either side fails; `onData` runs on
    /// every chunk received. Between two plain sockets on one loop (the proxy's case: the upstream
    /// connection is made on the client's loop) each chunk goes from the loop's read buffer
    /// straight into the sink: no allocation and no await unless the sink's buffer is full.
    public static func copy(from source: any ByteStream, to sink: any ByteStream, onData: @escaping @Sendable () -> Void) async {
        if let from = source as? ChannelByteStream, let to = sink as? ChannelByteStream,
           from.channel.tls == nil, to.channel.tls == nil, from.channel.loop === to.channel.loop {
            await from.relay(to: to, onData: onData)
            return
        }
        do {
            while let chunk = try await source.read() {
                if chunk.isEmpty { continue }
                onData()
                try await sink.write(chunk)
            }
        } catch {
            // A reset or closed peer ends the copy like a clean end of stream.
        }
    }
}

extension ChannelByteStream {
    /// The same-loop, plain-socket relay behind `ByteRelay.copy`. Between messages it waits in a
    /// readiness callback rather than a task suspension: each message then costs the two system
    /// calls and no continuation, job or task switch (a WebSocket round trip crosses the relay
    /// twice). When the sink is full the task takes over and awaits the write, which keeps
    /// back-pressure: nothing more is read until the leftover is written.
    fileprivate func relay(to sink: ChannelByteStream, onData: @escaping @Sendable () -> Void) async {
        let loop = channel.loop
        if !loop.inEventLoop {
            return await withTaskExecutorPreference(loop) { await self.relay(to: sink, onData: onData) }
        }
        do {
            if !pending.isEmpty {
                let first = pending
                pending = []
                onData()
                try await sink.channel.write(first)
            }
            while true {
                var outcome = pump(to: sink, onData)
                if case .drained = outcome { outcome = await waitAndPump(to: sink, onData) }
                switch outcome {
                case .ended: return
                case .drained: continue
                case .leftover(let bytes): try await sink.channel.write(bytes)
                }
            }
        } catch {
            // A reset or closed peer ends the copy like a clean end of stream.
        }
    }

    private enum Pump {
        /// The source has nothing more right now.
        case drained
        /// The sink took only part of a chunk: the rest, to be written before reading on.
        case leftover([UInt8])
        /// End of stream, an error, or either side closed.
        case ended
    }

    /// Reads what the source has and writes it on, without suspending. The bytes pass through the
    /// loop's read buffer; nothing is allocated unless the sink is full.
    private func pump(to sink: ChannelByteStream, _ onData: () -> Void) -> Pump {
        let handle = channel.handle
        let scratch = channel.loop.scratch
        while true {
            if channel.isClosed || sink.channel.isClosed { return .ended }
            if !handle.readReady { return .drained }
            let count = recv(handle.fd, scratch.baseAddress, scratch.count, 0)  // see SocketChannel.read
            if count > 0 {
                // A short read drained the socket (as SocketChannel.read): the next edge says when to read again.
                if count < scratch.count && !handle.peerHungUp { handle.readReady = false }
                onData()
                let bytes = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
                guard let sent = try? sink.channel.writeNow(bytes) else { return .ended }
                if sent < count { return .leftover(Array(bytes[sent...])) }
                continue
            }
            if count == 0 { return .ended }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                handle.readReady = false
                return .drained
            }
            return .ended
        }
    }

    /// Waits for input edges in a callback, pumping on each, until something other than
    /// `.drained` happens (or the source is closed by the other direction).
    private func waitAndPump(to sink: ChannelByteStream, _ onData: @escaping @Sendable () -> Void) async -> Pump {
        let handle = channel.handle
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Pump, Never>) in
            let finish: (Pump) -> Void = { outcome in
                handle.onReadable = nil
                handle.onClose = nil
                continuation.resume(returning: outcome)
            }
            handle.onClose = { finish(.ended) }
            handle.onReadable = { [unowned self] in
                let outcome = self.pump(to: sink, onData)
                if case .drained = outcome { return }
                finish(outcome)
            }
            // Input that arrived before the callback was set raised its edge already: pump it now.
            if channel.isClosed { finish(.ended) } else if handle.readReady { handle.onReadable?() }
        }
    }
}
