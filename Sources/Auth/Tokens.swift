// Token generation, length rules, public ids and the Authorization header. Formats are JupyterHub's
// so a database migrated from JupyterHub keeps working and clients see the same shapes.

/// Problems with a presented or configured token.
public enum TokenError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLong(length: Int)
    case tooShort(length: Int, minimum: Int)
    case malformedHash
    case malformedID(String)

    public var description: String {
        switch self {
        case .tooLong(let n): return "Token is too long (\(n) characters, at most \(TokenRules.maxLength))"
        case .tooShort(let n, let min): return "Token must be at least \(min) characters, got \(n)"
        case .malformedHash: return "Stored token hash is not 'sha512:<rounds>:<salt>:<hex>'"
        case .malformedID(let s): return "Invalid token id '\(s)'"
        }
    }
}

/// Length and prefix rules shared by every hashed credential.
public enum TokenRules {
    /// Characters stored in clear (and indexed) to find candidate rows.
    public static let prefixLength = 4
    /// Longer presented tokens are rejected before any hashing (no CPU spent on junk).
    public static let maxLength = 64
    /// Operator-supplied tokens (config `api_tokens`, service tokens) must be at least this long.
    public static let minOperatorLength = 8

    /// The indexed prefix of `token`.
    public static func prefix(of token: String) -> String { String(token.prefix(prefixLength)) }

    /// Checks a presented token's length before lookup.
    public static func checkPresented(_ token: String) throws(TokenError) {
        // Counting characters walks the string; its UTF-8 length is an upper bound known at once.
        if token.utf8.count <= maxLength { return }
        let n = token.count
        if n > maxLength { throw TokenError.tooLong(length: n) }
    }

    /// Checks an operator-supplied token (≥ 8 and ≤ 64 characters); collisions are the store's check.
    public static func checkOperatorSupplied(_ token: String) throws(TokenError) {
        let n = token.count
        if n > maxLength { throw TokenError.tooLong(length: n) }
        if n < minOperatorLength { throw TokenError.tooShort(length: n, minimum: minOperatorLength) }
    }
}

/// Fresh random credentials from OpenSSL's CSPRNG.
public enum TokenGenerator {
    /// 32 lowercase hex (128 bits): API tokens, server tokens, cookie ids, session ids.
    public static func hexToken() throws -> String {
        Hex.encode(try Crypto.randomBytes(16))
    }

    /// 30 characters of `[A-Za-z0-9]`: OAuth authorization codes and access tokens.
    public static func oauthToken() throws -> String {
        try randomString(length: 30, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8))
    }

    /// 43 url-safe base64 characters (256 bits): share codes.
    public static func shareCode() throws -> String {
        Base64.encode(try Crypto.randomBytes(32), alphabet: .urlSafe, padded: false)
    }

    /// Uniform characters from `alphabet` by rejection sampling (no modulo bias).
    static func randomString(length: Int, alphabet: [UInt8]) throws -> String {
        precondition(!alphabet.isEmpty && alphabet.count <= 256)
        let limit = 256 - 256 % alphabet.count
        var out: [UInt8] = []
        out.reserveCapacity(length)
        while out.count < length {
            for byte in try Crypto.randomBytes(length * 2) where Int(byte) < limit && out.count < length {
                out.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A token's public id: `a<row id>` for API tokens.
public struct APITokenID: Hashable, Sendable, CustomStringConvertible {
    /// The database row id.
    public let rowID: Int64

    public init(rowID: Int64) { self.rowID = rowID }

    /// Parses `a<N>` (N a positive decimal without sign or leading zeros).
    public init(parsing text: String) throws(TokenError) {
        guard text.hasPrefix("a"), let n = parsePositive(text.dropFirst()) else { throw TokenError.malformedID(text) }
        rowID = n
    }

    public var description: String { "a\(rowID)" }
}

/// A share code's public id: `sc_<row id>`.
public struct ShareCodeID: Hashable, Sendable, CustomStringConvertible {
    public let rowID: Int64

    public init(rowID: Int64) { self.rowID = rowID }

    /// Parses `sc_<N>`.
    public init(parsing text: String) throws(TokenError) {
        guard text.hasPrefix("sc_"), let n = parsePositive(text.dropFirst(3)) else { throw TokenError.malformedID(text) }
        rowID = n
    }

    public var description: String { "sc_\(rowID)" }
}

private func parsePositive(_ digits: Substring) -> Int64? {
    guard let first = digits.first, first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int64(digits)
}

/// The credential in an `Authorization` header.
public enum AuthorizationHeader {
    /// The token from `token <t>` or `bearer <t>` (scheme case-insensitive), or nil for anything else.
    /// Works on UTF-8 bytes (every request with a token passes here); spaces and tabs are ASCII.
    public static func token(from value: String) -> String? {
        var value = value
        // One pass over contiguous bytes: `<blanks> scheme <blanks> token <blanks>`, the token without blanks.
        return value.withUTF8 { bytes -> String? in
            func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
            var i = 0, n = bytes.count
            while i < n, blank(bytes[i]) { i += 1 }
            let schemeStart = i
            while i < n, !blank(bytes[i]) { i += 1 }
            let scheme = UnsafeBufferPointer(rebasing: bytes[schemeStart..<i])
            guard i < n, isScheme(scheme, "token") || isScheme(scheme, "bearer") else { return nil }
            while i < n, blank(bytes[i]) { i += 1 }
            while n > i, blank(bytes[n - 1]) { n -= 1 }
            guard i < n else { return nil }
            let token = UnsafeBufferPointer(rebasing: bytes[i..<n])
            guard !token.contains(where: blank) else { return nil }
            return String(decoding: token, as: UTF8.self)
        }
    }

    /// Whether `bytes`, ASCII-lowercased, spell `word` (a lowercase ASCII word).
    private static func isScheme(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for i in 0..<bytes.count {
            let b = bytes[i]
            if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != expected[i] { return false }
        }
        return true
    }
}
