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
    public static func copy(from source: any ByteStream, to sink: any ByteStream, onData: () -> Void) async {
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
    /// The same-loop, plain-socket relay behind `ByteRelay.copy`. Awaiting the sink only when it
    /// is full keeps back-pressure: nothing more is read until the leftover is written.
    fileprivate func relay(to sink: ChannelByteStream, onData: () -> Void) async {
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
            while !channel.isClosed {
                let leftover = try await channel.read(deadline: nil) { bytes -> [UInt8] in
                    onData()
                    let sent = try sink.channel.writeNow(bytes)
                    return sent == bytes.count ? [] : Array(bytes[sent...])
                }
                guard let leftover else { return }  // end of stream
                if !leftover.isEmpty { try await sink.channel.write(leftover) }
            }
        } catch {
            // A reset or closed peer ends the copy like a clean end of stream.
        }
    }
}
