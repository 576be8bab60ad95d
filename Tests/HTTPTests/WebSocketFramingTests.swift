import Testing
@testable import HTTP

private func decodeAll(_ bytes: [UInt8], maxPayload: Int = 16 << 20, expectMasked: Bool? = nil) throws -> [WebSocketFrame] {
    var decoder = WebSocketFrameDecoder(maxPayloadBytes: maxPayload, expectMasked: expectMasked)
    decoder.feed(bytes)
    var frames: [WebSocketFrame] = []
    while let frame = try decoder.next() { frames.append(frame) }
    return frames
}

private func protocolError(_ bytes: [UInt8], maxPayload: Int = 16 << 20, expectMasked: Bool? = nil) -> WebSocketProtocolError? {
    do {
        _ = try decodeAll(bytes, maxPayload: maxPayload, expectMasked: expectMasked)
        return nil
    } catch let error as WebSocketProtocolError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

let hello = Array("Hello".utf8)
let unmaskedHello: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
let maskedHello: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]

@Test("RFC 6455 §5.7: the unmasked and masked \"Hello\" frames encode and decode exactly")
func rfcHelloFrames() throws {
    let frame = WebSocketFrame(opcode: .text, payload: hello)
    #expect(frame.encoded(maskingKey: nil) == unmaskedHello)
    #expect(frame.encoded(maskingKey: 0x37fa213d) == maskedHello)
    #expect(try decodeAll(unmaskedHello) == [frame])
    #expect(try decodeAll(maskedHello) == [frame])
}

@Test("RFC 6455 §5.7: a fragmented text message and ping/pong")
func rfcFragmentsAndPing() throws {
    let bytes: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x89, 0x00, 0x80, 0x02, 0x6c, 0x6f, 0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
    #expect(try decodeAll(bytes) == [
        WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)),
        WebSocketFrame(opcode: .ping, payload: []),
        WebSocketFrame(fin: true, opcode: .continuation, payload: Array("lo".utf8)),
        WebSocketFrame(opcode: .pong, payload: hello),
    ])
}

@Test("256-byte and 64 KiB payloads use the 16-bit and 64-bit length forms")
func extendedLengths() throws {
    let medium = WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 7, count: 256))
    let mediumBytes = medium.encoded(maskingKey: nil)
    #expect(Array(mediumBytes.prefix(4)) == [0x82, 0x7E, 0x01, 0x00])
    #expect(mediumBytes.count == 4 + 256)
    let large = WebSocketFrame(opcode: .binary, payload: (0..<65536).map { UInt8($0 & 0xFF) })
    let largeBytes = large.encoded(maskingKey: nil)
    #expect(Array(largeBytes.prefix(10)) == [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
    let largeMasked = large.encoded(maskingKey: 0xdeadbeef)
    #expect(largeMasked[1] == 0xFF && Array(largeMasked[10..<14]) == [0xde, 0xad, 0xbe, 0xef])
    #expect(try decodeAll(mediumBytes + largeBytes + largeMasked) == [medium, large, large])
    #expect(WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 0, count: 125)).encoded(maskingKey: nil)[1] == 125)
    #expect(WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 0, count: 126)).encoded(maskingKey: nil)[1] == 126)
}

@Test("frames split at every byte boundary decode the same")
func splitFeeding() throws {
    let bytes = maskedHello + WebSocketFrame(opcode: .binary, payload: (0..<300).map { UInt8($0 % 251) }).encoded(maskingKey: 0x01020304)
        + WebSocketFrame(opcode: .close, payload: [0x03, 0xE8]).encoded(maskingKey: nil)
    let whole = try decodeAll(bytes)
    #expect(whole.count == 3)
    for split in 1..<bytes.count {
        var decoder = WebSocketFrameDecoder()
        var frames: [WebSocketFrame] = []
        decoder.feed(Array(bytes[..<split]))
        while let frame = try decoder.next() { frames.append(frame) }
        decoder.feed(Array(bytes[split...]))
        while let frame = try decoder.next() { frames.append(frame) }
        #expect(frames == whole, "split at \(split)")
        #expect(decoder.bufferedByteCount == 0)
    }
}

@Test("protocol errors: reserved bits, unknown opcodes, bad control frames, stray continuations")
func protocolErrors() {
    #expect(protocolError([0xC1, 0x00])?.closeCode == 1002)       // RSV1 without an extension
    #expect(protocolError([0x83, 0x00])?.closeCode == 1002)       // opcode 3 is reserved
    #expect(protocolError([0x8B, 0x00])?.closeCode == 1002)       // opcode 11 is reserved
    #expect(protocolError([0x09, 0x00])?.closeCode == 1002)       // fragmented ping
    #expect(protocolError([0x89, 0x7E, 0x00, 0x7E] + [UInt8](repeating: 0, count: 126))?.closeCode == 1002)
    #expect(protocolError([0x88, 0x01, 0x00])?.closeCode == 1002) // one-byte close payload
    #expect(protocolError([0x80, 0x00])?.closeCode == 1002)       // continuation with nothing to continue
    #expect(protocolError([0x01, 0x00, 0x81, 0x00])?.closeCode == 1002) // new message mid-fragment
    #expect(protocolError([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0])?.closeCode == 1002) // 64-bit length top bit
}

@Test("a payload over the cap is refused from its header, before it is buffered")
func payloadCap() {
    #expect(protocolError([0x82, 0x7E, 0x01, 0x00], maxPayload: 255)?.closeCode == 1009)
    #expect(protocolError([0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0], maxPayload: 1 << 20)?.closeCode == 1009)
    #expect(protocolError([0x82, 0x05, 1, 2, 3, 4, 5], maxPayload: 5) == nil)
}

@Test("a server can insist on masked frames and a client on unmasked ones")
func maskingDirection() {
    #expect(protocolError(unmaskedHello, expectMasked: true)?.closeCode == 1002)
    #expect(protocolError(maskedHello, expectMasked: false)?.closeCode == 1002)
    #expect(protocolError(maskedHello, expectMasked: true) == nil)
}

@Test("after a protocol error the decoder stays failed")
func decoderErrorsAreSticky() {
    var decoder = WebSocketFrameDecoder()
    decoder.feed([0xC1, 0x00])
    #expect(throws: WebSocketProtocolError.self) { try decoder.next() }
    decoder.feed(unmaskedHello)
    #expect(throws: WebSocketProtocolError.self) { try decoder.next() }
}

@Test("RFC 6455 §1.3: the sample key's accept value")
func acceptValue() {
    #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
}

@Test("random keys are 16 bytes base64 and differ")
func randomKeys() {
    let a = WebSocketHandshake.randomKey(), b = WebSocketHandshake.randomKey()
    #expect(a.utf8.count == 24 && a.hasSuffix("=="))
    #expect(a != b)
}
