/// Frame opcodes (RFC 6455 §5.2).
public enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10

    /// Close, ping and pong: never fragmented, payload at most 125 bytes.
    public var isControl: Bool { rawValue & 0x8 != 0 }
}

/// One WebSocket frame with its payload unmasked.
public struct WebSocketFrame: Sendable, Equatable {
    /// Last frame of a message.
    public var fin: Bool
    public var opcode: WebSocketOpcode
    public var payload: [UInt8]

    /// A frame; `fin` defaults to an unfragmented message.
    public init(fin: Bool = true, opcode: WebSocketOpcode, payload: [UInt8]) {
        self.fin = fin
        self.opcode = opcode
        self.payload = payload
    }

    /// The frame on the wire; clients pass a masking key (RFC 6455 §5.3), servers pass nil.
    public func encoded(maskingKey: UInt32?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        switch payload.count {
        case 0...125:
            out.append(maskBit | UInt8(payload.count))
        case 126...0xFFFF:
            out.append(maskBit | 126)
            out.append(UInt8(payload.count >> 8))
            out.append(UInt8(payload.count & 0xFF))
        default:
            out.append(maskBit | 127)
            let length = UInt64(payload.count)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((length >> UInt64(shift)) & 0xFF)) }
        }
        guard let maskingKey else {
            out.append(contentsOf: payload)
            return out
        }
        let key = WebSocketMask(maskingKey)
        key.append(to: &out)
        let start = out.count
        out.append(contentsOf: payload)
        out.withUnsafeMutableBufferPointer { key.apply(to: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
        return out
    }
}

/// The 4-byte masking key, most significant byte first on the wire.
struct WebSocketMask: Sendable {
    let bytes: (UInt8, UInt8, UInt8, UInt8)

    init(_ key: UInt32) {
        bytes = (UInt8(key >> 24), UInt8((key >> 16) & 0xFF), UInt8((key >> 8) & 0xFF), UInt8(key & 0xFF))
    }

    init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) { bytes = (b0, b1, b2, b3) }

    func append(to out: inout [UInt8]) {
        out.append(bytes.0); out.append(bytes.1); out.append(bytes.2); out.append(bytes.3)
    }

    /// XORs in place; masking and unmasking are the same operation.
    func apply(to payload: UnsafeMutableBufferPointer<UInt8>) {
        let key = [bytes.0, bytes.1, bytes.2, bytes.3]
        var i = 0
        // Word at a time for large payloads (proxied terminals and notebooks send big frames).
        let word = UInt64(bytes.0) | UInt64(bytes.1) << 8 | UInt64(bytes.2) << 16 | UInt64(bytes.3) << 24
        let mask64 = word | word << 32
        if let base = payload.baseAddress {
            let raw = UnsafeMutableRawPointer(base)
            while i + 8 <= payload.count {
                let value = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                raw.storeBytes(of: value ^ mask64.littleEndianBytesAsNative, toByteOffset: i, as: UInt64.self)
                i += 8
            }
        }
        while i < payload.count {
            payload[i] ^= key[i & 3]
            i += 1
        }
    }
}

private extension UInt64 {
    /// The mask word assembled little-endian; on a big-endian host its bytes must be swapped to match memory order.
    var littleEndianBytesAsNative: UInt64 { UInt64(littleEndian: self) }
}
