import HTTPTypes

/// Serialises message heads for the wire. Fields are written in order, as given, with their original case.
public enum HeadWriter {
    /// "HTTP/1.1 200 OK\r\n" + headers in order + "\r\n". Validates nothing it does not need to; never throws.
    public static func writeResponseHead(status: HTTPResponse.Status, version: HTTPVersion, headers: HTTPFields,
                                         into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + 64 + headers.count * 32)
        writeVersion(version, into: &buffer)
        buffer.append(HTTPSyntax.sp)
        // Status codes from HTTPTypes are 0...999; always three digits on the wire.
        let code = min(max(status.code, 0), 999)
        buffer.append(UInt8(ascii: "0") + UInt8(code / 100))
        buffer.append(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        buffer.append(UInt8(ascii: "0") + UInt8(code % 10))
        buffer.append(HTTPSyntax.sp)
        let reason = status.reasonPhrase.isEmpty ? StatusReason.phrase(for: code) : status.reasonPhrase
        // HTTPTypes legalises reason phrases to ISO Latin 1; write them as such, one byte per scalar.
        for scalar in reason.unicodeScalars { buffer.append(UInt8(truncatingIfNeeded: scalar.value)) }
        writeCRLF(into: &buffer)
        writeFields(headers, into: &buffer)
    }

    /// "GET /target HTTP/1.1\r\n" + headers in order + "\r\n".
    /// `head.rawFields`, if any, follow `head.givenHeaders` as they are.
    public static func writeRequestHead(_ head: RequestHead, into buffer: inout [UInt8]) {
        let rawCount = head.rawFields?.byteCount ?? 0
        buffer.reserveCapacity(buffer.count + 64 + head.target.utf8.count + head.givenHeaders.count * 32 + rawCount)
        buffer.append(contentsOf: head.method.rawValue.utf8)
        buffer.append(HTTPSyntax.sp)
        buffer.append(contentsOf: head.target.utf8)
        buffer.append(HTTPSyntax.sp)
        writeVersion(head.version, into: &buffer)
        writeCRLF(into: &buffer)
        if let raw = head.rawFields {
            if !head.givenHeaders.isEmpty { writeFieldLines(head.givenHeaders, into: &buffer) }
            raw.write(into: &buffer)
            writeCRLF(into: &buffer)
        } else {
            writeFields(head.givenHeaders, into: &buffer)
        }
    }

    private static let http11: [UInt8] = Array("HTTP/1.1".utf8)

    private static func writeVersion(_ version: HTTPVersion, into buffer: inout [UInt8]) {
        if version == .http1_1 {
            buffer.append(contentsOf: http11)
            return
        }
        buffer.append(contentsOf: "HTTP/".utf8)
        if (0...9).contains(version.major) && (0...9).contains(version.minor) {
            buffer.append(UInt8(ascii: "0") + UInt8(version.major))
            buffer.append(UInt8(ascii: "."))
            buffer.append(UInt8(ascii: "0") + UInt8(version.minor))
        } else {
            buffer.append(contentsOf: "\(version.major).\(version.minor)".utf8)
        }
    }

    private static func writeFields(_ fields: HTTPFields, into buffer: inout [UInt8]) {
        writeFieldLines(fields, into: &buffer)
        writeCRLF(into: &buffer)
    }

    private static func writeFieldLines(_ fields: HTTPFields, into buffer: inout [UInt8]) {
        for field in fields {
            buffer.append(contentsOf: field.name.rawName.utf8)
            buffer.append(HTTPSyntax.colon)
            buffer.append(HTTPSyntax.sp)
            field.withUnsafeBytesOfValue { buffer.append(contentsOf: $0) }
            writeCRLF(into: &buffer)
        }
    }

    @inline(__always)
    private static func writeCRLF(into buffer: inout [UInt8]) {
        buffer.append(HTTPSyntax.cr)
        buffer.append(HTTPSyntax.lf)
    }
}

/// Reason phrases for statuses created from a bare code (`HTTPResponse.Status(code: 404)`).
enum StatusReason {
    static func phrase(for code: Int) -> String {
        switch code {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 103: "Early Hints"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: ""
        }
    }
}
