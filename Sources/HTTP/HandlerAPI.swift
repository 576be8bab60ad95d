// The public contract of the HTTP engine: what a handler sees and returns.
// The parser produces `RequestHead`; the server turns a connection into `HTTPServerRequest`s and
// writes `HTTPServerResponse`s; the client (for the proxy and the hub's outgoing calls) speaks the
// same types. Everything here is a value type or a closure so it crosses tasks freely.
import Glibc
import HTTPTypes

/// HTTP version from the request or status line.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// How a message body is delimited on the wire.
public enum BodyFraming: Sendable, Hashable {
    /// No body at all (GET without Content-Length, 204, 304, responses to HEAD).
    case none
    /// Exactly this many bytes follow.
    case contentLength(Int)
    /// Transfer-Encoding: chunked.
    case chunked
    /// The body runs until the peer closes (responses only, HTTP/1.0 style).
    case untilClose
}

/// A parsed request head. Header fields keep their order and repeats, exactly as received
/// (including `Host`), so a proxy can forward them unchanged.
public struct RequestHead: Sendable {
    public var method: HTTPRequest.Method
    /// The raw request-target as sent: path plus optional `?query`, still percent-encoded.
    public var target: String
    public var version: HTTPVersion
    /// The header fields: `givenHeaders` followed by the lines of `rawFields`. A head from the
    /// parser keeps all its fields as received bytes (in `rawFields`), so this is built on every
    /// read: read single fields with `value(_:)`. Setting it replaces both parts.
    public var headers: HTTPFields {
        get {
            guard let raw = rawFields, !raw.isEmpty else { return givenHeaders }
            if givenHeaders.isEmpty { return raw.fields }
            var all = givenHeaders
            all.append(contentsOf: raw.fields)
            return all
        }
        set { givenHeaders = newValue; rawFields = nil }
    }
    /// The fields given as `HTTPFields` (written first).
    public private(set) var givenHeaders: HTTPFields
    /// How the body that follows is framed (decided by the parser, smuggling-safe).
    public var framing: BodyFraming
    /// Whether the connection may be reused after this exchange (HTTP/1.0 and 1.1 rules).
    public var keepAlive: Bool
    /// `Expect: 100-continue` was sent.
    public var expectsContinue: Bool
    /// `Connection: upgrade` with an `Upgrade` header (e.g. WebSocket).
    public var isUpgrade: Bool
    /// Field lines kept as bytes, after `givenHeaders`: all the fields of a parsed head (as the
    /// client sent them, validated), or a proxy's forwarded fields built without an `HTTPFields`.
    /// Why: building `HTTPFields` cost ~2,500 instructions per field (a String per name and value,
    /// HTTPTypes validating each value again, a generic append), while most requests have a field
    /// or two read, or are forwarded as they are.
    public var rawFields: RawFields?

    /// All the fields as lines, when the head keeps them so (a parsed head): no `givenHeaders`.
    public var receivedFields: RawFields? { givenHeaders.isEmpty ? rawFields : nil }

    public init(method: HTTPRequest.Method, target: String, version: HTTPVersion = .http1_1,
                headers: HTTPFields = HTTPFields(), rawFields: RawFields? = nil, framing: BodyFraming = .none,
                keepAlive: Bool = true, expectsContinue: Bool = false, isUpgrade: Bool = false) {
        self.method = method; self.target = target; self.version = version; self.givenHeaders = headers
        self.rawFields = rawFields; self.framing = framing; self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue; self.isUpgrade = isUpgrade
    }

    /// What `headers[name]` returns, read without building `HTTPFields`.
    public func value(_ name: HTTPField.Name) -> String? {
        let given = givenHeaders.isEmpty ? nil : givenHeaders.value(name)
        guard let lines = rawFields?.value(name) else { return given }
        guard let given else { return lines }
        return given + name.combiningSeparator + lines
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: HTTPField.Name) -> Bool {
        givenHeaders.contains(name) || (rawFields?.contains(name) ?? false)
    }

    /// The target before `?`, still percent-encoded.
    public var path: Substring {
        if let q = queryMarkIndex { return target[..<q] }
        return target[...]
    }

    /// The query after `?`, without the `?`, or nil.
    public var query: Substring? {
        guard let q = queryMarkIndex else { return nil }
        return target[target.utf8.index(after: q)...]
    }

    /// Where `?` is in `target`. Searched as bytes with memchr: a Character search walks grapheme
    /// clusters and the generic byte search costs hundreds of instructions on every request. `?` is
    /// ASCII, so its UTF-8 offset is a valid String index.
    private var queryMarkIndex: String.Index? {
        let offset: Int?? = target.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress, let mark = memchr(base, Int32(UInt8(ascii: "?")), bytes.count) else { return nil }
            return UnsafeRawPointer(mark) - UnsafeRawPointer(base)
        }
        switch offset {
        case .some(.some(let offset)): return target.utf8.index(target.utf8.startIndex, offsetBy: offset)
        case .some(.none): return nil
        case .none: return target.utf8.firstIndex(of: UInt8(ascii: "?"))
        }
    }
}

/// A parsed response head (client side).
public struct ResponseHead: Sendable {
    public var status: HTTPResponse.Status
    public var version: HTTPVersion
    public var framing: BodyFraming
    public var keepAlive: Bool
    /// The fields as received, when the head came from the parser: a proxy forwards these bytes
    /// (`RawFields.forwardable()`) without ever building `headers`.
    public private(set) var rawFields: RawFields?
    private var parsedHeaders: HTTPFields?

    /// The header fields. From a parsed head they are built from `rawFields` on each read, so
    /// keep the value when reading several fields; setting them replaces `rawFields`.
    public var headers: HTTPFields {
        get { parsedHeaders ?? rawFields?.fields ?? HTTPFields() }
        set { parsedHeaders = newValue; rawFields = nil }
    }

    public init(status: HTTPResponse.Status, version: HTTPVersion = .http1_1, headers: HTTPFields = HTTPFields(),
                framing: BodyFraming = .none, keepAlive: Bool = true) {
        self.status = status; self.version = version; self.parsedHeaders = headers
        self.framing = framing; self.keepAlive = keepAlive
    }

    /// A head whose fields are kept as received.
    public init(status: HTTPResponse.Status, version: HTTPVersion, rawFields: RawFields,
                framing: BodyFraming, keepAlive: Bool) {
        self.status = status; self.version = version; self.rawFields = rawFields
        self.framing = framing; self.keepAlive = keepAlive
    }
}

/// A body arriving in chunks. Iterate it once; `collect(upTo:)` gathers it with a size cap.
public struct RequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    private let nextChunk: @Sendable () async throws -> [UInt8]?

    /// A body read by calling `next` until it returns nil.
    public init(next: @escaping @Sendable () async throws -> [UInt8]?) { self.nextChunk = next }

    /// An already complete body (tests, buffered requests).
    public static func bytes(_ bytes: [UInt8]) -> RequestBody {
        let box = OneShot(bytes.isEmpty ? nil : bytes)
        return RequestBody(next: { box.take() })
    }

    public static var empty: RequestBody { RequestBody(next: { nil }) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextChunk: @Sendable () async throws -> [UInt8]?
        public mutating func next() async throws -> [UInt8]? { try await nextChunk() }
    }
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(nextChunk: nextChunk) }

    /// Reads the whole body; throws `BodyTooLarge` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in self {
            if all.count + chunk.count > limit { throw BodyTooLarge(limit: limit) }
            all.append(contentsOf: chunk)
        }
        return all
    }
}

/// Thrown by `RequestBody.collect(upTo:)`; the server answers it with 413.
public struct BodyTooLarge: Error, Sendable { public var limit: Int }

/// Writes a streamed response body; each call may suspend until the peer has taken earlier bytes
/// (back-pressure). The server frames the bytes (chunked unless the response set Content-Length).
public struct BodyWriter: Sendable {
    private let writeChunk: @Sendable ([UInt8]) async throws -> Void
    public init(write: @escaping @Sendable ([UInt8]) async throws -> Void) { self.writeChunk = write }
    public func write(_ bytes: [UInt8]) async throws { try await writeChunk(bytes) }
    public func write(_ string: String) async throws { try await writeChunk(Array(string.utf8)) }
}

/// A raw two-way byte stream: a connection after `101 Switching Protocols`, or an upstream
/// connection the proxy tunnels to. `read()` returns nil at end of stream.
public protocol ByteStream: AnyObject, Sendable {
    func read() async throws -> [UInt8]?
    func write(_ bytes: [UInt8]) async throws
    /// Half-close for writing (shutdown(SHUT_WR)); reads may continue.
    func closeWrite() async
    /// Closes both directions; idempotent.
    func close() async
}

/// What a handler answers with.
public enum ResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    /// Streamed: the closure writes the body and returns when done (Server-Sent Events, proxying).
    case stream(@Sendable (BodyWriter) async throws -> Void)
    /// After the head (normally 101) is written, the closure owns the raw client connection.
    case upgrade(@Sendable (any ByteStream) async throws -> Void)
}

/// A request as a handler receives it.
public struct HTTPServerRequest: Sendable {
    public var head: RequestHead
    public var body: RequestBody
    /// The peer's address as text (`127.0.0.1`, `::1`) and port.
    public var remoteHost: String
    public var remotePort: Int
    /// True when the listener is TLS.
    public var isTLS: Bool

    public init(head: RequestHead, body: RequestBody = .empty, remoteHost: String = "127.0.0.1",
                remotePort: Int = 0, isTLS: Bool = false) {
        self.head = head; self.body = body; self.remoteHost = remoteHost
        self.remotePort = remotePort; self.isTLS = isTLS
    }
}

/// A response as a handler returns it. The server adds `Date`, `Content-Length` or
/// `Transfer-Encoding`, and `Connection` as needed.
public struct HTTPServerResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ResponseBody
    /// Field lines written as they are, after `headers` (a proxy's pass-through of an upstream's
    /// fields). They must not hold the fields the server manages — Content-Length,
    /// Transfer-Encoding, Connection, Keep-Alive — which `RawFields.forwardable()` removes.
    public var rawFields: RawFields?

    public init(status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields(), rawFields: RawFields? = nil,
                body: ResponseBody = .empty) {
        self.status = status; self.headers = headers; self.rawFields = rawFields; self.body = body
    }
}

/// The one thing a server calls. Errors thrown become 500 (or 413 for `BodyTooLarge`).
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPServerRequest) async throws -> HTTPServerResponse
}

/// A handler from a closure.
public struct HandlerFunction: HTTPHandler {
    let body: @Sendable (HTTPServerRequest) async throws -> HTTPServerResponse
    public init(_ body: @escaping @Sendable (HTTPServerRequest) async throws -> HTTPServerResponse) { self.body = body }
    public func handle(_ request: HTTPServerRequest) async throws -> HTTPServerResponse { try await body(request) }
}

/// A value taken at most once (for one-shot bodies).
final class OneShot<T: Sendable>: @unchecked Sendable {
    private var value: T?
    private let lock = PThreadLock()
    init(_ value: T?) { self.value = value }
    func take() -> T? { lock.withLock { defer { value = nil }; return value } }
}
