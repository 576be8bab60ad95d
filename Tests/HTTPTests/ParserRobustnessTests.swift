import Testing
@testable import HTTP

/// Deterministic generator so a failure reproduces.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let seedMessages = [
    "GET /a?b=c HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
    "POST /b HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
    "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n",
].map { Array($0.utf8) }

/// Feeds `bytes` in random pieces and drains events; returns bytes of body seen, or nil on a parse error.
private func drive(_ bytes: [UInt8], using rng: inout SplitMix64) -> Int? {
    var request = RequestParser()
    var response = ResponseParser()
    var offset = 0
    var body = 0
    var requestFailed = false
    while offset < bytes.count {
        let n = min(bytes.count - offset, Int.random(in: 1...64, using: &rng))
        let piece = Array(bytes[offset..<(offset + n)])
        offset += n
        request.feed(piece)
        response.feed(piece)
        do {
            while let event = try request.next() { if case .body(let b) = event { body += b.count } }
        } catch {
            requestFailed = true
        }
        do { while try response.next() != nil {} } catch {}
    }
    _ = try? response.finishAtEOF()
    return requestFailed ? nil : body
}

@Test("mutated and random input never crashes, and body bytes never exceed what was fed")
func mutationsNeverCrash() {
    var rng = SplitMix64(state: 0x5EED)
    for round in 0..<3000 {
        var bytes = seedMessages[round % seedMessages.count]
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
            case 2: if bytes.count > 1 { bytes.remove(at: i) }
            default: bytes.insert(contentsOf: [0x0D, 0x0A], at: i)
            }
        }
        if let body = drive(bytes, using: &rng) { #expect(body <= bytes.count) }
    }
    for _ in 0..<500 {
        let bytes = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        _ = drive(bytes, using: &rng)
    }
}

@Test("random input never crashes the WebSocket decoder")
func webSocketRandomInput() {
    var rng = SplitMix64(state: 0xF00D)
    for _ in 0..<2000 {
        var decoder = WebSocketFrameDecoder(maxPayloadBytes: 1 << 16)
        decoder.feed((0..<Int.random(in: 1...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        while (try? decoder.next()) != nil {}
    }
}
