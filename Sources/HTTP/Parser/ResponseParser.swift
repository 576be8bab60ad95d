import HTTPTypes

/// Incremental HTTP/1.1 response parser for the client side (RFC 9112), with size limits.
///
/// Call `expectResponse(toMethod:)` before each response. Interim 1xx heads come out as `.head` +
/// `.end` and parsing continues with the final response; after a 101 it stops, and the bytes that
/// follow belong to the upgraded protocol (`takeBufferedBytes()`).
public struct ResponseParser: Sendable {
    /// What `next()` produces.
    public enum Event: Sendable {
        case head(ResponseHead)
        case body([UInt8])
        case end(trailers: HTTPFields)
    }

    private enum Phase: Sendable {
        case head
        case body(BodyDecoder, final: Bool)
        /// After a 101 head; `endDelivered` once its `.end` went out.
        case upgraded(endDelivered: Bool)
    }

    private let limits: HTTPLimits
    private var buffer = ParseBuffer()
    private var scanner = HeadScanner(startLineTooLong: .badRequest("status line too long"))
    private var phase = Phase.head
    private var requestMethod: HTTPRequest.Method = .get
    private var failure: HTTPParseError?

    /// A parser enforcing `limits`.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Must be called before each response is parsed: HEAD responses have no body; so have 1xx/204/304.
    public mutating func expectResponse(toMethod method: HTTPRequest.Method) {
        requestMethod = method
    }

    /// Appends received bytes.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) { buffer.append(bytes) }

    /// Appends received bytes.
    public mutating func feed(_ bytes: [UInt8]) { buffer.append(bytes) }

    /// Next event, or nil when more bytes are needed (always nil after a 101 head and its `.end`).
    public mutating func next() throws(HTTPParseError) -> Event? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    /// The peer closed: for an `.untilClose` body this yields `.end`; mid-message otherwise throws.
    /// Buffered events come first, so call it until it returns nil.
    public mutating func finishAtEOF() throws(HTTPParseError) -> Event? {
        if let event = try next() { return event }
        switch phase {
        case .upgraded:
            return nil
        case .head:
            if buffer.isEmpty && !scanner.hasPartialHead { return nil }
        case .body(let decoder, _):
            if decoder.endsAtClose {
                phase = .head
                requestMethod = .get
                return .end(trailers: HTTPFields())
            }
        }
        let error = HTTPParseError.badRequest("connection closed mid-response")
        failure = error
        throw error
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        switch phase {
        case .upgraded(let endDelivered):
            if endDelivered { return nil }
            phase = .upgraded(endDelivered: true)
            return .end(trailers: HTTPFields())
        case .body(var decoder, let isFinal):
            let event = try decoder.next(&buffer, limits: limits)
            switch event {
            case nil:
                phase = .body(decoder, final: isFinal)
                return nil
            case .body(let bytes)?:
                phase = .body(decoder, final: isFinal)
                return .body(bytes)
            case .end(let trailers)?:
                phase = .head
                if isFinal { requestMethod = .get }
                return .end(trailers: trailers)
            }
        case .head:
            guard let extent = try scanner.scan(&buffer, limits: limits) else { return nil }
            let method = requestMethod
            let head = try buffer.withBytes(from: 0, to: extent.length) { bytes in
                Result { () throws(HTTPParseError) in
                    try Self.parseHead(bytes, fieldsStart: extent.fieldsStart, fieldCount: extent.fieldLineCount, requestMethod: method)
                }
            }.get()
            buffer.consume(extent.length)
            if head.status.code == 101 {
                phase = .upgraded(endDelivered: false)
            } else {
                phase = .body(BodyDecoder(framing: head.framing), final: head.status.code >= 200)
            }
            return .head(head)
        }
    }

    private static func parseHead(_ bytes: UnsafeRawBufferPointer, fieldsStart: Int, fieldCount: Int,
                                  requestMethod: HTTPRequest.Method) throws(HTTPParseError) -> ResponseHead {
        var lineEnd = fieldsStart - 1
        if lineEnd > 0 && bytes[lineEnd - 1] == HTTPSyntax.cr { lineEnd -= 1 }
        let line = try StartLineParser.parseStatusLine(UnsafeRawBufferPointer(rebasing: bytes[0..<lineEnd]))
        // Fields stay bytes: a proxy forwards them as they are, other callers build HTTPFields on demand.
        var fields = RawFields()
        var facts = FramingFields()
        try FieldLineParser.parse(UnsafeRawBufferPointer(rebasing: bytes[fieldsStart...]), into: &fields, framing: &facts)
        let (framing, keepAlive) = try facts.responseFraming(
            status: line.status, version: line.version, requestMethod: requestMethod)
        return ResponseHead(status: line.status, version: line.version, rawFields: fields,
                            framing: framing, keepAlive: keepAlive)
    }

    /// Bytes received but not yet parsed (after a 101 they are the upgraded protocol's first bytes).
    public mutating func takeBufferedBytes() -> [UInt8] {
        scanner.reset()
        return buffer.takeAll()
    }
}
