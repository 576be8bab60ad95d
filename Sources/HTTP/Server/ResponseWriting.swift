import HTTPTypes

/// Field names the server manages itself.
extension HTTPField.Name {
    // Literal, valid token: the initializer cannot fail here.
    static let keepAlive = HTTPField.Name("Keep-Alive")!
}

extension ServerConnection {
    /// Writes `response` for a request with `head`, framing the body; returns whether the
    /// connection may carry another request.
    func writeResponse(_ response: HTTPServerResponse, to head: RequestHead, keepAlive requested: Bool,
                       body: ServerBodyReader?) async throws -> Bool {
        var headers = response.headers
        var keepAlive = requested
        if let connection = headers[.connection], connection.lowercased().contains("close") { keepAlive = false }
        if headers[.date] == nil { headers[.date] = HTTPDate.now() }
        let code = response.status.code
        let bodyForbidden = code < 200 || code == 204 || code == 304
        let isHead = head.method == .head

        switch response.body {
        case .upgrade(let takeOver):
            var buffer: [UInt8] = []
            HeadWriter.writeResponseHead(status: response.status, version: .http1_1, headers: headers, into: &buffer)
            try await channel.write(buffer)
            try await runUpgrade(takeOver)
            return false

        case .empty, .bytes:
            var bytes: [UInt8] = []
            if case .bytes(let payload) = response.body { bytes = payload }
            if bodyForbidden {
                bytes = []
                headers[.transferEncoding] = nil
                if code != 304 { headers[.contentLength] = nil }
            } else {
                headers[.transferEncoding] = nil
                if configuration.compressResponses {
                    bytes = ResponseCompression.compressIfWorthIt(bytes, headers: &headers, request: head, logger: server.logger)
                }
                if isHead {
                    if headers[.contentLength] == nil { headers[.contentLength] = String(bytes.count) }
                    bytes = []
                } else {
                    headers[.contentLength] = String(bytes.count)
                }
            }
            setConnectionFields(&headers, keepAlive: keepAlive, version: head.version)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(256 + (bytes.count <= 16 * 1024 ? bytes.count : 0))
            HeadWriter.writeResponseHead(status: response.status, version: .http1_1, headers: headers, into: &buffer)
            if bytes.count <= 16 * 1024 {
                buffer.append(contentsOf: bytes)
                try await channel.write(buffer)
            } else {
                try await channel.write(buffer, bytes)
            }
            return keepAlive

        case .stream(let produce):
            let framing: StreamFraming
            if bodyForbidden || isHead {
                framing = .discard
            } else if let declared = headers[.contentLength], let length = Int(declared), length >= 0 {
                headers[.transferEncoding] = nil
                framing = .identity(remaining: length)
            } else if head.version == .http1_1 {
                headers[.contentLength] = nil
                headers[.transferEncoding] = "chunked"
                framing = .chunked
            } else {
                // An HTTP/1.0 client cannot read chunked: the body ends when we close.
                headers[.contentLength] = nil
                headers[.transferEncoding] = nil
                keepAlive = false
                framing = .untilClose
            }
            setConnectionFields(&headers, keepAlive: keepAlive, version: head.version)
            var buffer: [UInt8] = []
            HeadWriter.writeResponseHead(status: response.status, version: .http1_1, headers: headers, into: &buffer)
            try await channel.write(buffer)
            let writer = StreamBodyWriter(channel: channel, framing: framing)
            do {
                try await produce(BodyWriter(write: { try await writer.write($0) }))
            } catch {
                // The head is out: the only honest signal left is closing without a proper end.
                server.logger.debug("response stream failed", metadata: ["error": "\(error)"])
                writer.abandon()
                return false
            }
            let complete = try await writer.finish()
            return keepAlive && complete
        }
    }

    /// `Connection` and `Keep-Alive` per the negotiated persistence.
    private func setConnectionFields(_ headers: inout HTTPFields, keepAlive: Bool, version: HTTPVersion) {
        if !keepAlive {
            headers[.connection] = "close"
            headers[.keepAlive] = nil
            return
        }
        if version == .http1_0 { headers[.connection] = "keep-alive" }
        if configuration.keepAliveHeader {
            headers[.keepAlive] = "timeout=\(configuration.idleTimeout.components.seconds)"
        }
    }

    /// Hands the raw connection (and bytes already read past the head) to the upgrade closure.
    private func runUpgrade(_ takeOver: @Sendable (any ByteStream) async throws -> Void) async throws {
        markUpgraded()
        let leftover = parser.takeBufferedBytes()
        let stream = ChannelByteStream(channel: channel, initialBytes: leftover)
        do {
            try await takeOver(stream)
        } catch {
            server.logger.debug("upgraded connection ended", metadata: ["error": "\(error)"])
        }
        channel.close()
    }
}

/// How a streamed response body is framed on the wire.
enum StreamFraming {
    case chunked
    case identity(remaining: Int)
    case untilClose
    /// HEAD, 204, 304: the producer runs but nothing is sent.
    case discard
}

/// Frames and writes the chunks a `.stream` producer hands over, each flushed as written
/// (Server-Sent Events must arrive live); awaiting the socket gives back-pressure.
final class StreamBodyWriter: @unchecked Sendable {
    private let channel: SocketChannel
    private var framing: StreamFraming
    private var abandoned = false

    init(channel: SocketChannel, framing: StreamFraming) {
        self.channel = channel
        self.framing = framing
    }

    func write(_ bytes: [UInt8]) async throws {
        if abandoned { throw IOError.closed }
        if bytes.isEmpty { return }  // an empty chunk would end a chunked body
        let loop = channel.loop
        if !loop.inEventLoop {
            return try await withTaskExecutorPreference(loop) { try await self.write(bytes) }
        }
        switch framing {
        case .discard:
            return
        case .untilClose:
            try await channel.write(bytes)
        case .identity(let remaining):
            guard bytes.count <= remaining else {
                throw HTTPParseError(status: .internalServerError, reason: "stream wrote past its Content-Length")
            }
            framing = .identity(remaining: remaining - bytes.count)
            try await channel.write(bytes)
        case .chunked:
            var frame: [UInt8] = []
            frame.reserveCapacity(bytes.count + 16)
            ChunkedEncoding.writeChunk(bytes, into: &frame)
            try await channel.write(frame)
        }
    }

    /// Ends the body; false when it could not end properly (the connection must close).
    func finish() async throws -> Bool {
        abandoned = true
        switch framing {
        case .chunked:
            var end: [UInt8] = []
            ChunkedEncoding.writeEnd(into: &end)
            try await channel.write(end)
            return true
        case .identity(let remaining):
            return remaining == 0
        case .untilClose:
            return false
        case .discard:
            return true
        }
    }

    func abandon() { abandoned = true }
}
