import HTTPTypes

extension ServerConnection {
    /// Writes `response` for a request with `head`, framing the body; returns whether the
    /// connection may carry another request.
    nonisolated(nonsending) func writeResponse(_ response: HTTPServerResponse, to head: RequestHead, keepAlive requested: Bool,
                       body: ServerBodyReader?) async throws -> Bool {
        var headers = response.headers
        var managed = ManagedFields(headers)
        let raw = response.rawFields
        if let raw {
            managed.hasDate = managed.hasDate || raw.hasDate
            managed.hasContentEncoding = managed.hasContentEncoding || raw.hasContentEncoding
        }
        let rawCount = raw?.byteCount ?? 0
        var keepAlive = requested && !managed.asksClose
        let code = response.status.code
        let bodyForbidden = code < 200 || code == 204 || code == 304
        let isHead = head.method == .head

        switch response.body {
        case .upgrade(let takeOver):
            // The handler's fields go out untouched (Connection: Upgrade, Upgrade, Sec-WebSocket-Accept).
            var builder = ResponseHeadBuilder(status: response.status, capacity: 256 + rawCount)
            builder.append(headers, replacing: false)
            if let raw { builder.append(raw) }
            if !managed.hasDate { builder.append("Date", HTTPDate.now()) }
            try await channel.write(builder.finish())
            try await runUpgrade(takeOver)
            return false

        case .empty, .bytes:
            var bytes: [UInt8] = []
            if case .bytes(let payload) = response.body { bytes = payload }
            if !bodyForbidden && raw == nil && configuration.compressResponses && !managed.hasContentEncoding
                && bytes.count >= ResponseCompression.minimumBytes {
                bytes = ResponseCompression.compressIfWorthIt(bytes, headers: &headers, request: head, logger: server.logger)
                managed = ManagedFields(headers)
                managed.hasDate = managed.hasDate || raw?.hasDate == true
            }
            let inline = bytes.count <= 16 * 1024
            var builder = ResponseHeadBuilder(status: response.status,
                                              capacity: 256 + headers.count * 48 + rawCount + (inline ? bytes.count : 0))
            builder.append(headers, replacing: managed.hasReplaceable)
            if let raw { builder.append(raw) }
            if !managed.hasDate { builder.append("Date", HTTPDate.now()) }
            if bodyForbidden {
                if code == 304, let length = managed.contentLength { builder.append("Content-Length", length) }
                bytes = []
            } else if isHead {
                builder.append("Content-Length", managed.contentLength ?? String(bytes.count))
                bytes = []
            } else {
                builder.append("Content-Length", bytes.count)
            }
            appendConnectionFields(&builder, keepAlive: keepAlive, version: head.version)
            if inline {
                try await channel.write(builder.finish(appending: bytes))
            } else {
                try await channel.write(builder.finish(), bytes)
            }
            return keepAlive

        case .stream(let produce):
            var builder = ResponseHeadBuilder(status: response.status, capacity: 256 + headers.count * 48 + rawCount)
            builder.append(headers, replacing: managed.hasReplaceable)
            if let raw { builder.append(raw) }
            if !managed.hasDate { builder.append("Date", HTTPDate.now()) }
            let framing: StreamFraming
            if bodyForbidden || isHead {
                if let length = managed.contentLength, code != 204 { builder.append("Content-Length", length) }
                framing = .discard
            } else if let declared = managed.contentLength, let length = Int(declared), length >= 0 {
                builder.append("Content-Length", length)
                framing = .identity(remaining: length)
            } else if head.version == .http1_1 {
                builder.append("Transfer-Encoding", "chunked")
                framing = .chunked
            } else {
                // An HTTP/1.0 client cannot read chunked: the body ends when we close.
                keepAlive = false
                framing = .untilClose
            }
            appendConnectionFields(&builder, keepAlive: keepAlive, version: head.version)
            try await channel.write(builder.finish())
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
    private func appendConnectionFields(_ builder: inout ResponseHeadBuilder, keepAlive: Bool, version: HTTPVersion) {
        if !keepAlive {
            builder.append("Connection", "close")
            return
        }
        if version == .http1_0 { builder.append("Connection", "keep-alive") }
        if configuration.keepAliveHeader {
            builder.append("Keep-Alive", server.keepAliveFieldValue)
        }
    }

    /// Hands the raw connection (and bytes already read past the head) to the upgrade closure.
    nonisolated(nonsending) private func runUpgrade(_ takeOver: @Sendable (any ByteStream) async throws -> Void) async throws {
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
