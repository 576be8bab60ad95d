import Glibc
import HTTPTypes

/// Parses request lines and status lines (RFC 9112 §3, §4) from one line without its line ending.
enum StartLineParser {
    struct RequestLine {
        var method: HTTPRequest.Method
        var target: String
        var version: HTTPVersion
    }

    struct StatusLine {
        var status: HTTPResponse.Status
        var version: HTTPVersion
    }

    /// `method SP request-target SP HTTP-version`.
    static func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> RequestLine {
        guard let firstSpace = line.firstIndex(of: HTTPSyntax.sp),
              let lastSpace = line.lastIndex(of: HTTPSyntax.sp), lastSpace > firstSpace else {
            throw .badRequest("malformed request line")
        }
        let methodBytes = UnsafeRawBufferPointer(rebasing: line[0..<firstSpace])
        let targetBytes = UnsafeRawBufferPointer(rebasing: line[(firstSpace + 1)..<lastSpace])
        let versionBytes = UnsafeRawBufferPointer(rebasing: line[(lastSpace + 1)...])
        guard !targetBytes.isEmpty else { throw .badRequest("empty request target") }
        var highBits: UInt8 = 0
        for b in targetBytes {
            if b <= HTTPSyntax.sp || b == 0x7F { throw .badRequest("invalid byte in request target") }
            highBits |= b
        }
        let version = try parseVersion(versionBytes)
        let target: String
        if highBits & 0x80 == 0 {
            target = String(decoding: targetBytes, as: UTF8.self)
        } else if let utf8 = String(validating: targetBytes, as: UTF8.self) {
            target = utf8
        } else {
            // A target that is not UTF-8 could not be forwarded byte-for-byte through a String.
            throw .badRequest("request target is not UTF-8")
        }
        return RequestLine(method: try method(methodBytes), target: target, version: version)
    }

    /// `HTTP-version SP 3DIGIT [SP reason-phrase]`; a missing reason (no second space) is tolerated.
    static func parseStatusLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> StatusLine {
        guard line.count >= 12, line[8] == HTTPSyntax.sp else { throw .badRequest("malformed status line") }
        let version = try parseVersion(UnsafeRawBufferPointer(rebasing: line[0..<8]))
        var code = 0
        for i in 9..<12 {
            let b = line[i]
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { throw .badRequest("invalid status code") }
            code = code * 10 + Int(b - UInt8(ascii: "0"))
        }
        guard code >= 100 else { throw .badRequest("invalid status code") }
        // The usual `200 OK` needs no String built and validated: HTTPTypes' `.ok` carries that phrase.
        if code == 200, line.count == 15, line[12] == HTTPSyntax.sp, line[13] == UInt8(ascii: "O"), line[14] == UInt8(ascii: "K") {
            return StatusLine(status: .ok, version: version)
        }
        var reason = ""
        if line.count > 12 {
            guard line[12] == HTTPSyntax.sp else { throw .badRequest("malformed status line") }
            let reasonBytes = UnsafeRawBufferPointer(rebasing: line[13...])
            for b in reasonBytes where !HTTPSyntax.isFieldValueByte(b) {
                throw .badRequest("invalid byte in reason phrase")
            }
            reason = HTTPSyntax.string(reasonBytes)
        }
        return StatusLine(status: HTTPResponse.Status(code: code, reasonPhrase: reason), version: version)
    }

    /// `HTTP/DIGIT.DIGIT`; well-formed versions other than 1.0 and 1.1 are 505.
    static func parseVersion(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPVersion {
        let prefix: StaticString = "HTTP/"
        guard bytes.count == 8,
              UnsafeRawBufferPointer(rebasing: bytes[0..<5]).elementsEqual(
                UnsafeRawBufferPointer(start: prefix.utf8Start, count: 5)),
              bytes[6] == UInt8(ascii: "."),
              isDigit(bytes[5]), isDigit(bytes[7]) else {
            throw .badRequest("malformed HTTP version")
        }
        let version = HTTPVersion(major: Int(bytes[5] - 0x30), minor: Int(bytes[7] - 0x30))
        guard version == .http1_1 || version == .http1_0 else {
            throw HTTPParseError(status: .httpVersionNotSupported, reason: "HTTP version not supported")
        }
        return version
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Well-known methods come from constants so the common case builds no string.
    private static func method(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPRequest.Method {
        if let known = knownMethod(bytes) { return known }
        guard HTTPSyntax.isToken(bytes), let method = HTTPRequest.Method(String(decoding: bytes, as: UTF8.self)) else {
            throw .badRequest("invalid method")
        }
        return method
    }

    private static func knownMethod(_ bytes: UnsafeRawBufferPointer) -> HTTPRequest.Method? {
        guard let base = bytes.baseAddress else { return nil }
        func equals(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == bytes.count && memcmp(literal.utf8Start, base, bytes.count) == 0
        }
        switch bytes.count {
        case 3: return equals("GET") ? .get : equals("PUT") ? .put : nil
        case 4: return equals("POST") ? .post : equals("HEAD") ? .head : nil
        case 5: return equals("PATCH") ? .patch : equals("TRACE") ? .trace : nil
        case 6: return equals("DELETE") ? .delete : nil
        case 7: return equals("OPTIONS") ? .options : equals("CONNECT") ? .connect : nil
        default: return nil
        }
    }
}
