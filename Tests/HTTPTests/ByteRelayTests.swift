import Glibc
import Testing
@testable import HTTP

@Suite("Byte relay (tunnels after 101)")
struct ByteRelayTests {
    /// A connected stream-socket pair; the second end is made non-blocking for a loop channel.
    func socketPair() -> (blocking: Int32, loopEnd: Int32) {
        var fds: [Int32] = [0, 0]
        let rc = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
        precondition(rc == 0, "socketpair failed")
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    @Test("every byte arrives in order through a slow sink (partial writes wait), with the initial bytes first, and the copy ends at EOF")
    func relaysWithBackPressure() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let (writerFD, sourceFD) = socketPair()
        let (readerFD, sinkFD) = socketPair()
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let initial: [UInt8] = Array("already read".utf8)

        // Producer and consumer block, so they run off the cooperative pool (see `offPool`).
        // Producer: blocking writes, then EOF.
        async let producer: Void = offPool {
            var offset = 0
            while offset < payload.count {
                let n = payload.withUnsafeBytes { Glibc.write(writerFD, $0.baseAddress! + offset, min(65536, payload.count - offset)) }
                if n <= 0 { break }
                offset += n
            }
            shutdown(writerFD, Int32(SHUT_WR))
        }
        // Slow consumer: small reads with pauses, so the relay's sink fills up.
        async let consumer: [UInt8] = offPool { () -> [UInt8] in
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            var reads = 0
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(readerFD, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                received.append(contentsOf: buffer[0..<n])
                reads += 1
                if reads % 64 == 0 { usleep(2000) }
            }
            return received
        }
        let chunks = await Task(executorPreference: loop) { () -> Int in
            let source = ChannelByteStream(channel: SocketChannel(fd: sourceFD, loop: loop), initialBytes: initial)
            let sink = ChannelByteStream(channel: SocketChannel(fd: sinkFD, loop: loop), initialBytes: [])
            let count = ChunkCounter()
            await ByteRelay.copy(from: source, to: sink) { count.add() }
            await sink.close()
            await source.close()
            return count.value
        }.value
        try await producer
        let received = try await consumer
        #expect(received.count == initial.count + payload.count)
        #expect(received == initial + payload)
        #expect(chunks >= 2)  // the initial bytes plus at least one read
        close(writerFD)
        close(readerFD)
    }
}

/// Counts relayed chunks; the relay calls it on its loop thread only.
private final class ChunkCounter: @unchecked Sendable {
    private(set) var value = 0
    func add() { value += 1 }
}
