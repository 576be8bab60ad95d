import HTTPTypes

/// Size limits the parsers enforce so a peer cannot make us buffer or scan without bound.
public struct HTTPLimits: Sendable {
    /// Longest request line (method, target, version); longer → 414 URI Too Long.
    public var maxRequestLineBytes = 8 * 1024
    /// Largest block of header (or trailer) lines, excluding the start line; larger → 431.
    public var maxHeaderBytes = 64 * 1024
    /// Most header (or trailer) lines; more → 431.
    public var maxHeaderCount = 100
    /// Longest chunk-size line including extensions; longer → 400.
    public var maxChunkLineBytes = 4 * 1024

    /// The defaults above.
    public init() {}
}

/// A message the parser refused; `status` is what a server should answer with before closing.
public struct HTTPParseError: Error, Sendable, Equatable {
    /// 400, 414, 431, 501 (unknown transfer coding) or 505 (version).
    public var status: HTTPResponse.Status
    /// Short and free of message content, so it is safe to show to the client.
    public var reason: String

    /// An error with this status and reason.
    public init(status: HTTPResponse.Status, reason: String) {
        self.status = status
        self.reason = reason
    }

    static func badRequest(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: .badRequest, reason: reason)
    }
}
