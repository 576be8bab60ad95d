import HTTPTypes

/// Incremental, pipelining-aware HTTP/1.1 request parser (RFC 9112) with size limits.
///
/// Feed it bytes as they arrive and pull events with `next()`: one `.head`, any number of `.body`
/// chunks, then `.end`. After an error the parser stays failed: answer with the error's status and close.
public struct RequestParser: Sendable {
    /// What `next()` produces.
    public enum Event: Sendable {
        case head(RequestHead)
        case body([UInt8])
        case end(trailers: HTTPFields)
    }

    private let limits: HTTPLimits
    private var buffer = ParseBuffer()
    private var scanner = HeadScanner(startLineTooLong: HTTPParseError(status: .uriTooLong, reason: "request line too long"))
    private var body: BodyDecoder?
    private var failure: HTTPParseError?

    /// A parser enforcing `limits`.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Appends received bytes.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) { buffer.append(bytes) }

    /// Appends received bytes.
    public mutating func feed(_ bytes: [UInt8]) { buffer.append(bytes) }

    /// Next event, or nil when more bytes are needed. After `.end` it parses the next pipelined request.
    public mutating func next() throws(HTTPParseError) -> Event? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        if var decoder = body {
            let event = try decoder.next(&buffer, limits: limits)
            switch event {
            case nil:
                body = decoder
                return nil
            case .body(let bytes)?:
                body = decoder
                return .body(bytes)
            case .end(let trailers)?:
                body = nil
                return .end(trailers: trailers)
            }
        }
        guard let extent = try scanner.scan(&buffer, limits: limits) else { return nil }
        let head = try buffer.withBytes(from: 0, to: extent.length) { bytes in
            Result { () throws(HTTPParseError) in try Self.parseHead(bytes, fieldsStart: extent.fieldsStart) }
        }.get()
        buffer.consume(extent.length)
        body = BodyDecoder(framing: head.framing)
        return .head(head)
    }

    private static func parseHead(_ bytes: UnsafeRawBufferPointer, fieldsStart: Int) throws(HTTPParseError) -> RequestHead {
        var lineEnd = fieldsStart - 1
        if lineEnd > 0 && bytes[lineEnd - 1] == HTTPSyntax.cr { lineEnd -= 1 }
        let line = try StartLineParser.parseRequestLine(UnsafeRawBufferPointer(rebasing: bytes[0..<lineEnd]))
        var fields = RawFields()
        var facts = FramingFields()
        try FieldLineParser.parse(UnsafeRawBufferPointer(rebasing: bytes[fieldsStart...]), into: &fields, framing: &facts)
        let framing = try facts.requestFraming(version: line.version)
        return RequestHead(
            method: line.method, target: line.target, version: line.version, rawFields: fields,
            framing: framing, keepAlive: facts.keepAlive(version: line.version),
            // An HTTP/1.0 client cannot understand 100 Continue, so its Expect is ignored (RFC 9110 §10.1.1).
            expectsContinue: facts.expectsContinue && line.version == .http1_1,
            isUpgrade: facts.isUpgrade)
    }

    /// Ends the current message when it has no body (no body framing, or Content-Length: 0) without
    /// an `.end` event: true when it did, and `next()` goes on with the next request. The server
    /// takes this path for most requests (GETs), skipping an event and its copies.
    public mutating func skipEmptyBody() -> Bool {
        guard failure == nil, let decoder = body, decoder.isEmpty else { return false }
        body = nil
        return true
    }

    /// Bytes received but not yet parsed (after an upgrade head the caller takes them as raw stream data).
    public mutating func takeBufferedBytes() -> [UInt8] {
        scanner.reset()
        return buffer.takeAll()
    }

    /// Number of bytes received but not yet parsed.
    public var bufferedByteCount: Int { buffer.count }

    /// True between `.head` and `.end` (a request is mid-body), and when bytes of an unfinished head are buffered.
    public var isMidMessage: Bool { body != nil || !buffer.isEmpty }
}
