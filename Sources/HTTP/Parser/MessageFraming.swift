import HTTPTypes

/// The framing- and connection-relevant facts of a head, gathered in one pass over its fields.
struct FramingFields: Sendable {
    var contentLength: ContentLength = .absent
    var hasTransferEncoding = false
    /// Number of transfer codings listed across all Transfer-Encoding fields.
    var codingCount = 0
    var finalCodingIsChunked = false
    var chunkedCount = 0
    var connectionClose = false
    var connectionKeepAlive = false
    var connectionUpgrade = false
    var hasUpgrade = false
    var expectsContinue = false
    var hostCount = 0

    enum ContentLength: Sendable, Equatable {
        case absent
        case value(Int)
        /// Present but unusable; why, as a 400 reason.
        case invalid(String)
    }

    init(_ fields: HTTPFields) {
        for field in fields {
            // Most fields are none of these: a length check skips them before any classification.
            switch field.name.canonicalName.utf8.count {
            case 4, 6, 7, 10, 14, 17: break
            default: continue
            }
            var name = field.name.canonicalName
            let known = name.withUTF8 { KnownField(UnsafeRawBufferPointer($0)) }
            field.withUnsafeBytesOfValue { add(known, value: UnsafeRawBufferPointer($0)) }
        }
    }

    /// No fields seen yet; feed them with `add(_:value:)`.
    init() {}

    /// Notes one field whose name is already classified: the one place framing facts are gathered,
    /// from the raw field parser and from `HTTPFields` alike.
    mutating func add(_ known: KnownField, value: UnsafeRawBufferPointer) {
        switch known {
        case .host: hostCount += 1
        case .expect: if HTTPSyntax.equalsLowercased(HTTPSyntax.trimmingOWS(value), "100-continue") { expectsContinue = true }
        case .upgrade: hasUpgrade = true
        case .connection: addConnectionOptions(value)
        case .contentLength: addContentLength(value)
        case .transferEncoding:
            hasTransferEncoding = true
            addTransferCodings(value)
        default: break
        }
    }

    /// Accepts `5`, repeated `5` fields and the list `5, 5`; anything else unequal or non-decimal is invalid.
    private mutating func addContentLength(_ value: UnsafeRawBufferPointer) {
        if case .invalid = contentLength { return }
        HTTPSyntax.forEachListElement(value) { element in
            if case .invalid = contentLength { return }
            guard let n = Self.decimal(element) else {
                contentLength = .invalid("invalid Content-Length")
                return
            }
            switch contentLength {
            case .absent: contentLength = .value(n)
            case .value(let old) where old != n: contentLength = .invalid("conflicting Content-Length values")
            default: break
            }
        }
    }

    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var n = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            n = sum
        }
        return n
    }

    private mutating func addTransferCodings(_ value: UnsafeRawBufferPointer) {
        HTTPSyntax.forEachListElement(value) { element in
            guard !element.isEmpty else { return }
            // A coding may carry parameters ("gzip;q=1"); only its name matters here.
            var nameEnd = 0
            while nameEnd < element.count && element[nameEnd] != UInt8(ascii: ";") { nameEnd += 1 }
            let name = HTTPSyntax.trimmingOWS(UnsafeRawBufferPointer(rebasing: element[0..<nameEnd]))
            let isChunked = HTTPSyntax.equalsLowercased(name, "chunked")
            codingCount += 1
            if isChunked { chunkedCount += 1 }
            finalCodingIsChunked = isChunked
        }
    }

    private mutating func addConnectionOptions(_ value: UnsafeRawBufferPointer) {
        HTTPSyntax.forEachListElement(value) { option in
            if HTTPSyntax.equalsLowercased(option, "close") { connectionClose = true }
            else if HTTPSyntax.equalsLowercased(option, "keep-alive") { connectionKeepAlive = true }
            else if HTTPSyntax.equalsLowercased(option, "upgrade") { connectionUpgrade = true }
        }
    }

    /// Persistent-connection default for the version, overridden by Connection options (RFC 9112 §9.3).
    func keepAlive(version: HTTPVersion) -> Bool {
        if connectionClose { return false }
        if version == .http1_0 { return connectionKeepAlive }
        return true
    }

    var isUpgrade: Bool { connectionUpgrade && hasUpgrade }

    /// Request body framing (RFC 9112 §6.3), refusing anything a front end and back end could read differently.
    func requestFraming(version: HTTPVersion) throws(HTTPParseError) -> BodyFraming {
        // Two Host lines could route one way at a front end and another behind it (RFC 9112 §3.2).
        if hostCount > 1 { throw .badRequest("more than one Host header") }
        if hasTransferEncoding {
            if contentLength != .absent { throw .badRequest("both Transfer-Encoding and Content-Length") }
            if version == .http1_0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            if codingCount == 0 { throw .badRequest("empty Transfer-Encoding") }
            if chunkedCount > 1 { throw .badRequest("chunked applied more than once") }
            guard finalCodingIsChunked else {
                throw HTTPParseError(status: .notImplemented, reason: "unsupported transfer coding")
            }
            // We do not decode gzip/deflate transfer codings; refusing beats handing on coded bytes as the body.
            guard codingCount == 1 else {
                throw HTTPParseError(status: .notImplemented, reason: "unsupported transfer coding")
            }
            return .chunked
        }
        switch contentLength {
        case .absent: return .none
        case .value(let n): return .contentLength(n)
        case .invalid(let reason): throw .badRequest(reason)
        }
    }

    /// Response body framing (RFC 9112 §6.3) and whether the connection may be reused after it.
    func responseFraming(status: HTTPResponse.Status, version: HTTPVersion,
                         requestMethod: HTTPRequest.Method) throws(HTTPParseError) -> (BodyFraming, keepAlive: Bool) {
        let keepAlive = keepAlive(version: version)
        if requestMethod == .head || status.code < 200 || status.code == 204 || status.code == 304 {
            return (.none, keepAlive)
        }
        if hasTransferEncoding {
            // Transfer-Encoding overrides Content-Length; such a message is suspect, so do not reuse the connection.
            guard finalCodingIsChunked, chunkedCount == 1 else { return (.untilClose, false) }
            return (.chunked, keepAlive && contentLength == .absent && version != .http1_0)
        }
        switch contentLength {
        case .absent: return (.untilClose, false)
        case .value(let n): return (.contentLength(n), keepAlive)
        case .invalid(let reason): throw .badRequest(reason)
        }
    }
}
