import Dispatch
import Glibc

/// Opens connections to upstreams: address resolution (off the loop: getaddrinfo blocks),
/// non-blocking connect under a deadline trying each address, and the TLS handshake.
enum ClientConnector {
    static func connect(to target: UpstreamTarget, on loop: EventLoop, configuration: HTTPClientConfiguration,
                        tls: TLSContext?) async throws -> SocketChannel {
        let deadline = MonotonicClock.deadline(after: configuration.connectTimeout, from: loop.now)
        let addresses = try await addresses(for: target)
        var lastError: any Error = HTTPClientError.connectFailed("\(target): no address")
        for address in addresses {
            do {
                let channel = try await connect(address, on: loop, deadline: deadline)
                channel.writeTimeout = configuration.writeTimeout
                if let tls {
                    channel.tls = try TLSSession(context: tls, fd: channel.fd, serverName: target.host,
                                                 verifyHost: configuration.tlsVerify)
                    do {
                        try await channel.handshake(deadline: deadline)
                    } catch {
                        channel.close()
                        throw error
                    }
                }
                return channel
            } catch let error as TLSError {
                throw HTTPClientError.tls(error.message)
            } catch IOError.timedOut {
                throw HTTPClientError.timedOut
            } catch {
                lastError = error
            }
        }
        if let clientError = lastError as? HTTPClientError { throw clientError }
        throw HTTPClientError.connectFailed("\(target): \(lastError)")
    }

    private static func addresses(for target: UpstreamTarget) async throws -> [SocketAddress] {
        if let path = target.unixSocketPath { return [.unix(path)] }
        if let numeric = SocketAddress.numeric(target.host, port: target.port) { return [numeric] }
        let host = target.host, port = target.port
        do {
            return try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try SocketAddress.resolve(host, port: port) })
                }
            }
        } catch {
            throw HTTPClientError.connectFailed("\(error)")
        }
    }

    private static func connect(_ address: SocketAddress, on loop: EventLoop, deadline: UInt64) async throws -> SocketChannel {
        let fd = try Socket.make(family: address.family)
        if address.family != AF_UNIX { Socket.setNoDelay(fd) }
        let channel = SocketChannel(fd: fd, loop: loop)
        do {
            if try !Socket.startConnect(fd, to: address) {
                try await channel.handle.waitWritable(deadline: deadline)
                let code = Socket.pendingError(fd)
                if code != 0 { throw IOError.errno(code, "connect \(address)") }
            }
            return channel
        } catch {
            channel.close()
            throw error
        }
    }
}
