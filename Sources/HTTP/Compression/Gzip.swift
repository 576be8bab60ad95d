import CSystem

/// One-shot gzip for whole bodies, and `Accept-Encoding` negotiation.
public enum Gzip {
    /// `bytes` as one gzip stream (level 6).
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        try GzipCompressor().compress(bytes, finish: true)
    }

    /// Decodes gzip (or zlib) data, including concatenated gzip members as `gunzip` does.
    /// Throws on corrupt or truncated input and once the output would exceed `maxOutputBytes` (zip bombs).
    public static func decompress(_ bytes: [UInt8], maxOutputBytes: Int = 64 << 20) throws -> [UInt8] {
        guard !bytes.isEmpty else { throw GzipError("empty input is not a gzip stream") }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        // 15 + 32: detect the gzip or zlib wrapper from the header.
        let rc = csystem_inflate_init2(stream, 15 + 32)
        guard rc == Z_OK else { throw GzipError("inflateInit2 failed (\(rc))") }
        defer { inflateEnd(stream) }

        var out: [UInt8] = []
        try bytes.withUnsafeBufferPointer { input in
            var offset = 0
            var ended = false
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 * 1024) { scratch in
                guard let base = scratch.baseAddress, let inputBase = input.baseAddress else {
                    throw GzipError("no buffer")
                }
                while true {
                    if stream.pointee.avail_in == 0 {
                        if offset == input.count { break }
                        let slice = min(input.count - offset, 1 << 30)
                        stream.pointee.next_in = UnsafeMutablePointer(mutating: inputBase + offset)
                        stream.pointee.avail_in = UInt32(slice)
                        offset += slice
                    }
                    stream.pointee.next_out = base
                    stream.pointee.avail_out = UInt32(scratch.count)
                    let rc = inflate(stream, Z_NO_FLUSH)
                    let produced = scratch.count - Int(stream.pointee.avail_out)
                    if out.count + produced > maxOutputBytes {
                        throw GzipError("decompressed size exceeds \(maxOutputBytes) bytes")
                    }
                    out.append(contentsOf: UnsafeBufferPointer(start: base, count: produced))
                    switch rc {
                    case Z_STREAM_END:
                        ended = true
                        // Another member may follow (gzip allows concatenation).
                        if stream.pointee.avail_in == 0 && offset == input.count { return }
                        guard inflateReset(stream) == Z_OK else { throw GzipError("inflateReset failed") }
                        ended = false
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR:
                        if produced == 0 && stream.pointee.avail_in == 0 && offset == input.count { break }
                    case Z_NEED_DICT:
                        throw GzipError("stream needs a preset dictionary")
                    default:
                        throw GzipError("corrupt compressed data (\(rc))")
                    }
                }
                if !ended { throw GzipError("truncated compressed data") }
            }
        }
        return out
    }
}
