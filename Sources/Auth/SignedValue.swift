// Tornado's version-2 signed values, the format of JupyterHub's login cookie and XSRF tokens:
//   2|1:0|<n>:<unix time>|<n>:<name>|<n>:<base64 value>|<hex HMAC-SHA256 of everything before>
// where each <n> is the byte length of the field after it. Matching it byte for byte lets cookies
// and XSRF tokens issued by a JupyterHub with the same secret keep working, and vice versa.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a signed value was rejected.
public enum SignedValueError: Error, Equatable, Sendable {
    case malformed
    case badSignature
    case wrongName
    case expired
}

/// Create and verify Tornado v2 signed values.
public enum SignedValue {
    /// Signs `value` under `name` at time `now` (seconds since the epoch).
    public static func create(name: String, value: [UInt8], secret: CookieSecret, now: Int = SignedValue.currentTime()) throws -> String {
        let fields = ["0", String(now), name, Base64.encode(value)]
        var toSign = "2|"
        for field in fields { toSign += "\(field.utf8.count):\(field)|" }
        let signature = try Crypto.hmacSHA256(key: secret.bytes, data: Array(toSign.utf8))
        return toSign + Hex.encode(signature)
    }

    /// Verifies `signed` for `name`; values older than `maxAgeDays` are refused. Returns the original bytes.
    public static func decode(_ signed: String, name: String, secret: CookieSecret, maxAgeDays: Double,
                              now: Int = SignedValue.currentTime()) throws(SignedValueError) -> [UInt8] {
        let bytes = Array(signed.utf8)
        guard bytes.count > 2, bytes[0] == UInt8(ascii: "2"), bytes[1] == UInt8(ascii: "|") else { throw .malformed }
        var cursor = 2
        var fields: [[UInt8]] = []
        for _ in 0..<4 {
            guard let (field, next) = consumeField(bytes, from: cursor) else { throw .malformed }
            fields.append(field)
            cursor = next
        }
        let signedPart = Array(bytes[..<cursor])
        let passed = Array(bytes[cursor...])
        guard let expected = try? Crypto.hmacSHA256(key: secret.bytes, data: signedPart),
              Crypto.constantTimeEqual(passed, Array(Hex.encode(expected).utf8))
        else { throw .badSignature }
        guard fields[2] == Array(name.utf8) else { throw .wrongName }
        guard let timestamp = parseInt(fields[1]), parseInt(fields[0]) != nil else { throw .malformed }
        if Double(timestamp) < Double(now) - maxAgeDays * 86400 { throw .expired }
        guard let value = Base64.decode(String(decoding: fields[3], as: UTF8.self)) else { throw .malformed }
        return value
    }

    /// Seconds since the epoch, the clock signed values use.
    public static func currentTime() -> Int { Int(time(nil)) }

    /// Reads `<decimal length>:<bytes>|` starting at `start`.
    private static func consumeField(_ bytes: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var i = start
        var length = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            length = length * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            guard length <= bytes.count else { return nil }
            i += 1
        }
        guard i > start, i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
        let valueStart = i + 1
        let valueEnd = valueStart + length
        guard valueEnd < bytes.count, bytes[valueEnd] == UInt8(ascii: "|") else { return nil }
        return (Array(bytes[valueStart..<valueEnd]), valueEnd + 1)
    }

    private static func parseInt(_ field: [UInt8]) -> Int? {
        guard !field.isEmpty, field.count <= 18,
              field.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(String(decoding: field, as: UTF8.self))
    }
}
