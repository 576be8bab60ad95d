/// A raw byte stream over a connected socket: the client side after `101 Switching Protocols`, or
/// an upgraded upstream connection. Safe to call from any task (operations hop to the loop);
/// one reader and one writer may run concurrently.
final class ChannelByteStream: ByteStream, @unchecked Sendable {
    private let channel: SocketChannel
    private var pending: [UInt8]

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
