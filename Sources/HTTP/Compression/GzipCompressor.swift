import CSystem

/// A zlib failure; `reason` names the step and zlib's code, never data.
public struct GzipError: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// Streaming gzip compressor (gzip container, RFC 1952) for response bodies.
///
/// Each non-final call ends with a sync flush, so the peer can decode everything passed so far;
/// streamed responses (Server-Sent Events, progress output) must not sit in zlib's window.
/// One compressor per body; use it from one task at a time.
public final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false

    /// A compressor at zlib `level` (0 none … 9 best, -1 default).
    public init(level: Int32 = 6) throws {
        guard (-1...9).contains(level) else { throw GzipError("compression level \(level) outside -1...9") }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 is zlib's default.
        let rc = csystem_deflate_init2(stream, level, 15 + 16, 8, Z_DEFAULT_STRATEGY)
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw GzipError("deflateInit2 failed (\(rc))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `bytes`; with `finish` also writes the gzip trailer, after which the compressor is spent.
    public func compress(_ bytes: [UInt8], finish: Bool) throws -> [UInt8] {
        guard !finished else { throw GzipError("compressor already finished") }
        if bytes.isEmpty && !finish { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2 + 64)
        try bytes.withUnsafeBufferPointer { input in
            var offset = 0
            repeat {
                // avail_in is 32-bit; feed very large inputs in slices.
                let sliceLength = min(input.count - offset, 1 << 30)
                let isLastSlice = offset + sliceLength == input.count
                stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0 + offset) }
                stream.pointee.avail_in = UInt32(sliceLength)
                let flush = isLastSlice ? (finish ? Z_FINISH : Z_SYNC_FLUSH) : Z_NO_FLUSH
                try drain(flush: flush, into: &out)
                offset += sliceLength
            } while offset < input.count
        }
        stream.pointee.next_in = nil
        if finish { finished = true }
        return out
    }

    private func drain(flush: Int32, into out: inout [UInt8]) throws {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32 * 1024) { scratch in
            guard let base = scratch.baseAddress else { throw GzipError("no scratch space") }
            while true {
                stream.pointee.next_out = base
                stream.pointee.avail_out = UInt32(scratch.count)
                let rc = deflate(stream, flush)
                let produced = scratch.count - Int(stream.pointee.avail_out)
                out.append(contentsOf: UnsafeBufferPointer(start: base, count: produced))
                switch rc {
                case Z_STREAM_END:
                    return
                case Z_OK, Z_BUF_ERROR:
                    // Done once zlib consumed all input and had output space left over.
                    if flush != Z_FINISH && stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return }
                    if rc == Z_BUF_ERROR && produced == 0 { throw GzipError("deflate made no progress") }
                default:
                    throw GzipError("deflate failed (\(rc))")
                }
            }
        }
    }
}
