/// A frame that breaks RFC 6455; `closeCode` is what to send in the Close frame before closing.
public struct WebSocketProtocolError: Error, Sendable, Equatable {
    /// 1002 (protocol error) or 1009 (message too big).
    public var closeCode: UInt16
    public var reason: String
}

/// Incremental frame decoder: feed received bytes, pull whole frames (unmasked) with `next()`.
///
/// It checks the frame-level rules: reserved bits (no extensions are negotiated), known opcodes,
/// control frames short and unfragmented, continuation frames only inside a fragmented message,
/// and the payload size cap, checked from the header before the payload is buffered.
public struct WebSocketFrameDecoder: Sendable {
    private let maxPayloadBytes: Int
    private let expectMasked: Bool?
    private var buffer = ParseBuffer()
    private var inFragmentedMessage = false
    private var failure: WebSocketProtocolError?

    /// `expectMasked`: true on a server (client frames must be masked), false on a client, nil to accept both.
    public init(maxPayloadBytes: Int = 16 << 20, expectMasked: Bool? = nil) {
        self.maxPayloadBytes = maxPayloadBytes
        self.expectMasked = expectMasked
    }

    /// Appends received bytes.
    public mutating func feed(_ bytes: [UInt8]) { buffer.append(bytes) }

    /// Bytes received but not yet decoded.
    public var bufferedByteCount: Int { buffer.count }

    /// The next complete frame, or nil when more bytes are needed; throws `WebSocketProtocolError`.
    public mutating func next() throws -> WebSocketFrame? {
        if let failure { throw failure }
        do {
            return try decode()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decode() throws(WebSocketProtocolError) -> WebSocketFrame? {
        guard buffer.count >= 2 else { return nil }
        let b0 = buffer[0], b1 = buffer[1]
        if b0 & 0x70 != 0 { throw protocolError("reserved bits set") }
        guard let opcode = WebSocketOpcode(rawValue: b0 & 0x0F) else { throw protocolError("unknown opcode") }
        let fin = b0 & 0x80 != 0
        let masked = b1 & 0x80 != 0
        if let expectMasked, masked != expectMasked {
            throw protocolError(expectMasked ? "client frame not masked" : "server frame masked")
        }
        var headerLength = 2
        var length = UInt64(b1 & 0x7F)
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = UInt64(buffer[2]) << 8 | UInt64(buffer[3])
            headerLength = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            length = 0
            for i in 2..<10 { length = length << 8 | UInt64(buffer[i]) }
            if length >> 63 != 0 { throw protocolError("payload length has its top bit set") }
            headerLength = 10
        }
        if opcode.isControl {
            if !fin { throw protocolError("fragmented control frame") }
            if length > 125 { throw protocolError("control frame payload over 125 bytes") }
            if opcode == .close && length == 1 { throw protocolError("close payload of one byte") }
        } else if opcode == .continuation {
            if !inFragmentedMessage { throw protocolError("continuation without a message to continue") }
        } else if inFragmentedMessage {
            throw protocolError("new message inside a fragmented message")
        }
        if length > UInt64(maxPayloadBytes) {
            throw WebSocketProtocolError(closeCode: 1009, reason: "frame payload too large")
        }
        let payloadLength = Int(length)
        let maskLength = masked ? 4 : 0
        guard buffer.count >= headerLength + maskLength + payloadLength else { return nil }
        let mask = masked ? WebSocketMask(buffer[headerLength], buffer[headerLength + 1],
                                          buffer[headerLength + 2], buffer[headerLength + 3]) : nil
        buffer.consume(headerLength + maskLength)
        var payload = buffer.take(payloadLength)
        if let mask { payload.withUnsafeMutableBufferPointer { mask.apply(to: $0) } }
        if !opcode.isControl { inFragmentedMessage = !fin }
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }

    private func protocolError(_ reason: String) -> WebSocketProtocolError {
        WebSocketProtocolError(closeCode: 1002, reason: reason)
    }
}
