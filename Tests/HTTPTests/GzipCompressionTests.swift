import CSystem
import Testing
@testable import HTTP

private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

private let loremText: [UInt8] = {
    let words = ["jupyter", "notebook", "kernel", "paws", "wiki", "hub", "proxy", "server", "cell", "output"]
    var generator = SystemRandomNumberGenerator()
    var text: [UInt8] = []
    while text.count < 1 << 20 {
        text += Array(words[Int.random(in: 0..<words.count, using: &generator)].utf8) + [0x20]
    }
    return Array(text.prefix(1 << 20))
}()

@Test("round trips: empty, small, 1 MiB random and 1 MiB text")
func roundTrips() throws {
    for input in [[], Array("hello, gzip".utf8), randomBytes(1 << 20), loremText] {
        let compressed = try Gzip.compress(input)
        #expect(Array(compressed.prefix(3)) == [0x1f, 0x8b, 0x08], "gzip magic and deflate method")
        #expect(try Gzip.decompress(compressed) == input)
    }
    #expect(try Gzip.compress(loremText).count < loremText.count / 3)
}

@Test("a known gzip stream from another encoder decodes")
func decodesForeignGzip() throws {
    // `printf 'hello\n' | gzip -n`: fixed bytes, so this checks interoperability, not just self-consistency.
    let foreign: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9,
                            0xe7, 0x02, 0x00, 0x20, 0x30, 0x3a, 0x36, 0x06, 0x00, 0x00, 0x00]
    #expect(try Gzip.decompress(foreign) == Array("hello\n".utf8))
    // Concatenated members decode to the concatenation, as gunzip does.
    #expect(try Gzip.decompress(foreign + foreign) == Array("hello\nhello\n".utf8))
}

@Test("streamed compression decodes to the concatenated input, and each flush is decodable on its own")
func streaming() throws {
    let compressor = try GzipCompressor(level: 9)
    var stream: [UInt8] = []
    let first = try compressor.compress(Array("data: first event\n\n".utf8), finish: false)
    #expect(try inflatePrefix(first) == Array("data: first event\n\n".utf8))
    stream += first
    #expect(try compressor.compress([], finish: false).isEmpty)
    stream += try compressor.compress(Array(loremText.prefix(100_000)), finish: false)
    stream += try compressor.compress(Array("tail".utf8), finish: true)
    #expect(try Gzip.decompress(stream) == Array("data: first event\n\n".utf8) + Array(loremText.prefix(100_000)) + Array("tail".utf8))
    #expect(throws: GzipError.self) { try compressor.compress([1], finish: true) }
}

@Test("corrupt, truncated, empty and non-gzip input is an error, not a crash")
func badInput() throws {
    let good = try Gzip.compress(loremText.prefix(10_000).map { $0 })
    #expect(throws: GzipError.self) { try Gzip.decompress([]) }
    #expect(throws: GzipError.self) { try Gzip.decompress(Array(good.prefix(good.count / 2))) }
    #expect(throws: GzipError.self) { try Gzip.decompress(Array("not gzip at all".utf8)) }
    var flipped = good
    flipped[good.count / 2] ^= 0xFF
    #expect(throws: GzipError.self) { try Gzip.decompress(flipped) }
    #expect(throws: GzipError.self) { try GzipCompressor(level: 42) }
}

@Test("decompression stops at maxOutputBytes (zip bombs)")
func outputCap() throws {
    let bomb = try Gzip.compress([UInt8](repeating: 0, count: 4 << 20))
    #expect(bomb.count < 10_000)
    #expect(throws: GzipError.self) { try Gzip.decompress(bomb, maxOutputBytes: 1 << 20) }
    #expect(try Gzip.decompress(bomb, maxOutputBytes: 4 << 20).count == 4 << 20)
}

@Test("Accept-Encoding negotiation", arguments: [
    ("gzip", true), ("gzip, deflate, br", true), ("deflate, gzip;q=0.5", true), ("GZIP", true),
    ("gzip;q=0", false), ("gzip; q=0.000", false), ("br, deflate", false), ("", false), ("identity", false),
    ("*", true), ("*;q=0", false), ("gzip;q=0, *", false), ("br, *;q=0.1", true), ("x-gzip", true),
    ("gzip;q=1.0", true), ("gzip;q=0.001", true), ("gzip;q=abc", false), ("gzip;q=1.5", false),
    ("deflate;q=0, gzip ; q = 0.8", true),
])
func acceptEncoding(_ value: String, _ expected: Bool) {
    #expect(Gzip.isAccepted(byAcceptEncoding: value) == expected)
}

/// Inflates a gzip stream that may lack its end, returning what it decodes (checks sync flushes).
private func inflatePrefix(_ bytes: [UInt8]) throws -> [UInt8] {
    // zlib remembers the z_stream's address, so it must not move between calls: heap-allocate it.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deinitialize(count: 1); stream.deallocate() }
    guard csystem_inflate_init2(stream, 15 + 16) == Z_OK else { throw GzipError("init") }
    defer { inflateEnd(stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: 1 << 16)
    let produced = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.pointee.next_in = inBuf.baseAddress
            stream.pointee.avail_in = UInt32(inBuf.count)
            stream.pointee.next_out = outBuf.baseAddress
            stream.pointee.avail_out = UInt32(outBuf.count)
            _ = inflate(stream, Z_SYNC_FLUSH)
            return outBuf.count - Int(stream.pointee.avail_out)
        }
    }
    return Array(output.prefix(produced))
}
