import HTTPTypes

/// Turns the bytes after a head into body events for one message: Content-Length, chunked or until close.
///
/// It hands on whatever part of the body is buffered (never waits for the whole body) and keeps
/// its scan position inside a chunk-size line so bytes trickling in are not rescanned.
struct BodyDecoder: Sendable {
    enum Event: Sendable {
        case body([UInt8])
        case end(trailers: HTTPFields)
    }

    private enum State: Sendable {
        case fixed(remaining: Int)
        case chunkSizeLine(scanned: Int)
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(HeadScanner)
        case untilClose
        case done
    }

    private var state: State

    init(framing: BodyFraming) {
        switch framing {
        case .none: state = .fixed(remaining: 0)
        case .contentLength(let n): state = .fixed(remaining: n)
        case .chunked: state = .chunkSizeLine(scanned: 0)
        case .untilClose: state = .untilClose
        }
    }

    /// True when nothing is left but the end (no body, or Content-Length: 0, not yet reported).
    var isEmpty: Bool {
        if case .fixed(remaining: 0) = state { return true }
        return false
    }

    /// True for a body that only the peer closing the connection can end.
    var endsAtClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// The next body event, or nil when more bytes are needed.
    mutating func next(_ buffer: inout ParseBuffer, limits: HTTPLimits) throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .done:
                return nil
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end(trailers: HTTPFields())
                }
                let n = min(remaining, buffer.count)
                guard n > 0 else { return nil }
                state = .fixed(remaining: remaining - n)
                return .body(buffer.take(n))
            case .untilClose:
                guard !buffer.isEmpty else { return nil }
                return .body(buffer.takeAll())
            case .chunkData(let remaining):
                let n = min(remaining, buffer.count)
                guard n > 0 else { return nil }
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
                return .body(buffer.take(n))
            case .chunkDataEnd:
                guard buffer.count >= 1 else { return nil }
                if buffer[0] == HTTPSyntax.lf {
                    buffer.consume(1)
                } else {
                    guard buffer[0] == HTTPSyntax.cr else { throw .badRequest("missing CRLF after chunk data") }
                    guard buffer.count >= 2 else { return nil }
                    guard buffer[1] == HTTPSyntax.lf else { throw .badRequest("missing CRLF after chunk data") }
                    buffer.consume(2)
                }
                state = .chunkSizeLine(scanned: 0)
            case .chunkSizeLine(let scanned):
                guard let lf = buffer.firstIndex(of: HTTPSyntax.lf, from: scanned) else {
                    if buffer.count > limits.maxChunkLineBytes { throw .badRequest("chunk size line too long") }
                    state = .chunkSizeLine(scanned: buffer.count)
                    return nil
                }
                if lf > limits.maxChunkLineBytes { throw .badRequest("chunk size line too long") }
                let size = try buffer.withBytes(from: 0, to: lf) { Self.chunkSize($0) }.get()
                buffer.consume(lf + 1)
                state = size == 0 ? .trailers(HeadScanner(trailers: ())) : .chunkData(remaining: size)
            case .trailers(var scanner):
                guard let head = try scanner.scan(&buffer, limits: limits) else {
                    state = .trailers(scanner)
                    return nil
                }
                var trailers = HTTPFields()
                trailers.reserveCapacity(head.fieldLineCount)
                try buffer.withBytes(from: 0, to: head.length) { bytes in
                    Result { () throws(HTTPParseError) in try FieldLineParser.parse(bytes, into: &trailers) }
                }.get()
                buffer.consume(head.length)
                state = .done
                return .end(trailers: trailers)
            }
        }
    }

    /// Parses `1*HEXDIG [ BWS ";" extensions ] [CR]`; extensions are skipped.
    private static func chunkSize(_ line: UnsafeRawBufferPointer) -> Result<Int, HTTPParseError> {
        var end = line.count
        if end > 0 && line[end - 1] == HTTPSyntax.cr { end -= 1 }
        var size = 0
        var i = 0
        while i < end, let digit = hexValue(line[i]) {
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            if overflow { return .failure(.badRequest("chunk size too large")) }
            size = shifted | digit
            i += 1
        }
        if i == 0 { return .failure(.badRequest("invalid chunk size")) }
        while i < end && HTTPSyntax.isOWS(line[i]) { i += 1 }
        if i < end && line[i] != UInt8(ascii: ";") { return .failure(.badRequest("invalid chunk size")) }
        for b in UnsafeRawBufferPointer(rebasing: line[i..<end]) where !HTTPSyntax.isFieldValueByte(b) {
            return .failure(.badRequest("invalid chunk extension"))
        }
        return .success(size)
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
