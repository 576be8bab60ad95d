/// Finds where a message head (start line + field lines + empty line), or a trailer section, ends.
///
/// It resumes where the previous call stopped, so a head arriving one byte at a time costs O(n) in
/// total, and it enforces the size limits before the end is seen so a peer cannot make us buffer
/// an unbounded head.
struct HeadScanner: Sendable {
    /// Where the head ends, as offsets into the parse buffer.
    struct Head: Sendable {
        /// Offset just past the start line's LF (0 for a trailer section, which has none).
        var fieldsStart: Int
        /// Offset just past the LF of the final empty line.
        var length: Int
    }

    private let expectsStartLine: Bool
    private let startLineTooLong: HTTPParseError
    private var scanOffset = 0
    private var lineStart = 0
    private var fieldsStart: Int?
    private var fieldLineCount = 0

    /// A scanner for a request or status line plus fields; `startLineTooLong` is the error for an overlong start line.
    init(startLineTooLong: HTTPParseError) {
        self.expectsStartLine = true
        self.startLineTooLong = startLineTooLong
    }

    /// A scanner for a trailer section (field lines only).
    init(trailers: Void) {
        self.expectsStartLine = false
        self.startLineTooLong = .badRequest("trailer section too large")
        self.fieldsStart = 0
    }

    /// True when some bytes of an unfinished head have been examined.
    var hasPartialHead: Bool { scanOffset > 0 }

    /// Scans newly buffered bytes; returns the head's extent once its empty line has arrived.
    /// Empty lines before a start line are dropped from `buffer` (RFC 9112 §2.2).
    mutating func scan(_ buffer: inout ParseBuffer, limits: HTTPLimits) throws(HTTPParseError) -> Head? {
        while let lf = buffer.firstIndex(of: HTTPSyntax.lf, from: scanOffset) {
            var lineEnd = lf
            if lineEnd > lineStart && buffer[lineEnd - 1] == HTTPSyntax.cr { lineEnd -= 1 }
            let isEmpty = lineEnd == lineStart
            scanOffset = lf + 1
            if let fieldsStart {
                if isEmpty {
                    let head = Head(fieldsStart: fieldsStart, length: scanOffset)
                    reset()
                    return head
                }
                fieldLineCount += 1
                try checkFieldLimits(bytesSoFar: scanOffset - fieldsStart, limits: limits)
            } else if isEmpty {
                buffer.consume(scanOffset)
                scanOffset = 0
            } else {
                if lineEnd - lineStart > limits.maxRequestLineBytes { throw startLineTooLong }
                fieldsStart = scanOffset
            }
            lineStart = scanOffset
        }
        scanOffset = buffer.count
        if let fieldsStart {
            try checkFieldLimits(bytesSoFar: scanOffset - fieldsStart, limits: limits)
        } else if scanOffset - lineStart > limits.maxRequestLineBytes + 1 {
            // +1 leaves room for the CR that may precede the LF still to come.
            throw startLineTooLong
        }
        return nil
    }

    private func checkFieldLimits(bytesSoFar: Int, limits: HTTPLimits) throws(HTTPParseError) {
        if bytesSoFar > limits.maxHeaderBytes {
            throw HTTPParseError(status: .requestHeaderFieldsTooLarge, reason: "header section too large")
        }
        if fieldLineCount > limits.maxHeaderCount {
            throw HTTPParseError(status: .requestHeaderFieldsTooLarge, reason: "too many header fields")
        }
    }

    /// Forgets all progress (after a head was consumed).
    mutating func reset() {
        scanOffset = 0
        lineStart = 0
        fieldsStart = expectsStartLine ? nil : 0
        fieldLineCount = 0
    }
}
