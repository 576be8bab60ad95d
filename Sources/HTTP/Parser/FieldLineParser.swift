import Glibc
import HTTPTypes

/// Parses `name: value` lines (a header or trailer section) into `HTTPFields`, in order, repeats kept.
enum FieldLineParser {
    /// Parses field lines in `bytes` up to and including the final empty line.
    static func parse(_ bytes: UnsafeRawBufferPointer, into fields: inout HTTPFields) throws(HTTPParseError) {
        try forEachLine(bytes) { (line) throws(HTTPParseError) in fields.append(try parseLine(line)) }
    }

    /// Parses field lines up to the final empty line into `raw`, noting framing facts in `framing`:
    /// the same checks as `parse(_:into:)`, without building an `HTTPField` per line. When every
    /// line is already `Name: value\r\n` (one space, nothing to trim, CRLF), as nearly every sender
    /// writes them, the block is taken with one copy instead of line by line.
    static func parse(_ bytes: UnsafeRawBufferPointer, into raw: inout RawFields,
                      framing: inout FramingFields) throws(HTTPParseError) {
        guard let base = bytes.baseAddress else { return }
        var normal = true
        var end = 0  // where the last line's CRLF ends: the block to adopt
        var noted = RawFields()
        try forEachLine(bytes) { (line) throws(HTTPParseError) in
            let (name, value, _) = try validate(line)
            let known = KnownField(name)
            framing.add(known, value: value)
            guard normal else { return }
            let lineStart = line.baseAddress! - base
            let lineEnd = lineStart + line.count
            // `Name: value` with exactly one space and nothing trimmed, then CRLF.
            normal = line.count >= name.count + 2 && line[name.count + 1] == HTTPSyntax.sp
                && value.count == line.count - name.count - 2
                && lineEnd + 1 < bytes.count && bytes[lineEnd] == HTTPSyntax.cr
            if normal { noted.note(known, value: value, line: lineStart..<(lineEnd + 2)) }
            end = lineEnd + 2
        }
        if normal {
            noted.adoptNormalised(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
            raw = noted
            return
        }
        raw.reserveCapacity(bytes.count)
        try forEachLine(bytes) { (line) throws(HTTPParseError) in
            let (name, value, _) = try validate(line)
            raw.appendValidated(name: name, value: value, known: KnownField(name))
        }
    }

    /// Calls `body` with each line (without CRLF or LF) up to the first empty one.
    @inline(__always)
    private static func forEachLine(_ bytes: UnsafeRawBufferPointer,
                                    _ body: (UnsafeRawBufferPointer) throws(HTTPParseError) -> Void) throws(HTTPParseError) {
        guard let base = bytes.baseAddress else { return }
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = bytes.count
            if let lf = memchr(base + lineStart, Int32(HTTPSyntax.lf), bytes.count - lineStart) {
                lineEnd = UnsafeRawPointer(lf) - base
            }
            let next = lineEnd + 1
            if lineEnd > lineStart && bytes[lineEnd - 1] == HTTPSyntax.cr { lineEnd -= 1 }
            if lineEnd == lineStart { return }
            try body(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart))
            lineStart = next
        }
    }

    /// Checks one field line; returns its name, its value without surrounding whitespace, and
    /// whether the value holds bytes above 0x7F (obs-text).
    @inline(__always)
    private static func validate(_ line: UnsafeRawBufferPointer) throws(HTTPParseError)
        -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, highBit: Bool) {
        guard let base = line.baseAddress else { throw .badRequest("empty header line") }
        if HTTPSyntax.isOWS(line[0]) {
            throw .badRequest("obsolete line folding in header")
        }
        guard let colonPointer = memchr(base, Int32(HTTPSyntax.colon), line.count) else {
            throw .badRequest("header line without colon")
        }
        let colon = UnsafeRawPointer(colonPointer) - base
        let nameBytes = UnsafeRawBufferPointer(start: base, count: colon)
        // Whitespace before the colon is not a token byte, so this also refuses "Name : value".
        guard HTTPSyntax.isToken(nameBytes) else { throw .badRequest("invalid header name") }
        let value = HTTPSyntax.trimmingOWS(UnsafeRawBufferPointer(start: base + colon + 1, count: line.count - colon - 1))
        let scan = HTTPSyntax.scanFieldValue(value)
        guard scan.valid else { throw .badRequest("invalid byte in header value") }
        return (nameBytes, value, scan.highBit)
    }

    private static func parseLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPField {
        let (nameBytes, value, highBit) = try validate(line)
        guard let name = KnownFieldNames.name(for: nameBytes)
                ?? HTTPField.Name(String(decoding: nameBytes, as: UTF8.self)) else {
            throw .badRequest("invalid header name")
        }
        if !highBit {
            // ASCII needs no UTF-8 validation; building the String here skips HTTPTypes' slower generic path.
            return HTTPField(name: name, value: String(decoding: value, as: UTF8.self))
        }
        // obs-text: HTTPTypes keeps the raw bytes when they are not UTF-8, so nothing is altered.
        return HTTPField(name: name, value: value)
    }
}

/// Common field names, prebuilt so parsing them allocates nothing; matched byte-exactly to keep the sender's case.
enum KnownFieldNames {
    private struct Entry: Sendable {
        let bytes: [UInt8]
        let name: HTTPField.Name
    }

    /// Indexed by name length, so a lookup compares against a handful of candidates at most.
    private static let byLength: [[Entry]] = {
        let names: [HTTPField.Name] = [
            .userAgent, .accept, .acceptEncoding, .acceptLanguage, .connection, .contentLength,
            .contentType, .cookie, .transferEncoding, .upgrade, .authorization, .referer, .origin,
            .cacheControl, .ifNoneMatch, .ifModifiedSince, .secWebSocketKey, .secWebSocketVersion,
            .secWebSocketExtensions, .secWebSocketProtocol, .secWebSocketAccept, .date, .server,
            .setCookie, .location, .eTag, .lastModified, .vary, .contentEncoding, .expect,
        ] + ["Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "Keep-Alive",
             "Upgrade-Insecure-Requests", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "X-Real-IP",
             "X-XSRFToken", "Pragma", "DNT", "Priority"]
            .compactMap { HTTPField.Name($0) }
        var table = [[Entry]](repeating: [], count: 32)
        for name in names {
            let bytes = Array(name.rawName.utf8)
            if bytes.count < table.count { table[bytes.count].append(Entry(bytes: bytes, name: name)) }
        }
        return table
    }()

    static func name(for bytes: UnsafeRawBufferPointer) -> HTTPField.Name? {
        guard bytes.count < byLength.count, let base = bytes.baseAddress else { return nil }
        for entry in byLength[bytes.count] {
            let same = entry.bytes.withUnsafeBytes { known in
                known.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false
            }
            if same { return entry.name }
        }
        return nil
    }
}
