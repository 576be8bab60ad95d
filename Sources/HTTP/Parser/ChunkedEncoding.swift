/// Writes the chunked transfer coding (RFC 9112 §7.1).
public enum ChunkedEncoding {
    /// "<hex>\r\n…\r\n"; empty input writes nothing (an empty chunk would end the body).
    public static func writeChunk(_ bytes: UnsafeRawBufferPointer, into buffer: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        buffer.reserveCapacity(buffer.count + bytes.count + 20)
        writeHex(bytes.count, into: &buffer)
        buffer.append(HTTPSyntax.cr)
        buffer.append(HTTPSyntax.lf)
        buffer.append(contentsOf: bytes)
        buffer.append(HTTPSyntax.cr)
        buffer.append(HTTPSyntax.lf)
    }

    /// "<hex>\r\n…\r\n"; empty input writes nothing (an empty chunk would end the body).
    public static func writeChunk(_ bytes: [UInt8], into buffer: inout [UInt8]) {
        bytes.withUnsafeBytes { writeChunk($0, into: &buffer) }
    }

    /// "0\r\n\r\n": the last chunk and an empty trailer section.
    public static func writeEnd(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: [UInt8(ascii: "0"), HTTPSyntax.cr, HTTPSyntax.lf, HTTPSyntax.cr, HTTPSyntax.lf])
    }

    private static func writeHex(_ value: Int, into buffer: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        while shift >= 0 {
            buffer.append(digits.utf8Start[(value >> shift) & 0xF])
            shift -= 4
        }
    }
}
