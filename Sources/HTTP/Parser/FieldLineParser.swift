import HTTPTypes

/// Parses `name: value` lines (a header or trailer section) into `HTTPFields`, in order, repeats kept.
enum FieldLineParser {
    /// Parses field lines in `bytes` up to and including the final empty line.
    static func parse(_ bytes: UnsafeRawBufferPointer, into fields: inout HTTPFields) throws(HTTPParseError) {
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != HTTPSyntax.lf { lineEnd += 1 }
            let next = lineEnd + 1
            if lineEnd > lineStart && bytes[lineEnd - 1] == HTTPSyntax.cr { lineEnd -= 1 }
            if lineEnd == lineStart { return }
            fields.append(try parseLine(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])))
            lineStart = next
        }
    }

    private static func parseLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPField {
        if HTTPSyntax.isOWS(line[0]) {
            throw .badRequest("obsolete line folding in header")
        }
        var colon = 0
        while colon < line.count && line[colon] != HTTPSyntax.colon { colon += 1 }
        guard colon < line.count else { throw .badRequest("header line without colon") }
        let nameBytes = UnsafeRawBufferPointer(rebasing: line[0..<colon])
        // Whitespace before the colon is not a token byte, so this also refuses "Name : value".
        guard HTTPSyntax.isToken(nameBytes) else { throw .badRequest("invalid header name") }
        let value = HTTPSyntax.trimmingOWS(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
        for b in value where !HTTPSyntax.isFieldValueByte(b) {
            throw .badRequest("invalid byte in header value")
        }
        guard let name = KnownFieldNames.name(for: nameBytes)
                ?? HTTPField.Name(String(decoding: nameBytes, as: UTF8.self)) else {
            throw .badRequest("invalid header name")
        }
        return HTTPField(name: name, value: value)
    }
}

/// Common field names, prebuilt so parsing them allocates nothing; matched byte-exactly to keep the sender's case.
enum KnownFieldNames {
    private static let names: [HTTPField.Name] = [
        .userAgent, .accept, .acceptEncoding, .acceptLanguage, .connection, .contentLength,
        .contentType, .cookie, .transferEncoding, .upgrade, .authorization, .referer, .origin,
        .cacheControl, .ifNoneMatch, .ifModifiedSince, .secWebSocketKey, .secWebSocketVersion,
        .secWebSocketExtensions, .secWebSocketProtocol, .secWebSocketAccept, .date, .server,
        .setCookie, .location, .eTag, .lastModified, .vary, .contentEncoding, .expect,
    ] + ["Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "Keep-Alive",
         "Upgrade-Insecure-Requests", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "X-Real-IP"]
        .compactMap { HTTPField.Name($0) }

    static func name(for bytes: UnsafeRawBufferPointer) -> HTTPField.Name? {
        for name in names where name.rawName.utf8.count == bytes.count {
            if name.rawName.utf8.elementsEqual(bytes) { return name }
        }
        return nil
    }
}
