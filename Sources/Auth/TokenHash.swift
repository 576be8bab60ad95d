// Stored token hashes in JupyterHub's exact format, `sha512:<rounds>:<salt>:<hex digest>`, where the
// digest is SHA-512 over the salt's ASCII bytes followed by the token repeated `rounds` times.
// Generated tokens already carry 128 random bits, so one round suffices; operator-chosen ones
// (possibly weak passwords) get 16384 rounds to slow offline guessing.

/// How a token came to be, which decides its hashing cost.
public enum TokenOrigin: Sendable {
    /// Made by the hub (`TokenGenerator`): 1 round.
    case generated
    /// Chosen by an operator, or an OAuth client secret: 16384 rounds.
    case operatorSupplied

    var rounds: Int { self == .generated ? 1 : 16384 }
}

/// A parsed `sha512:<rounds>:<salt>:<hex>` value.
public struct TokenHash: Hashable, Sendable, CustomStringConvertible {
    public let rounds: Int
    /// 16 hex characters, used as ASCII bytes (not decoded).
    public let salt: String
    /// 128 lowercase hex characters.
    public let digest: String

    /// Upper bound on rounds accepted from storage, so a corrupted row cannot stall a request.
    static let maxRounds = 1 << 20

    /// Hashes `token` with a fresh random salt.
    public init(hashing token: String, origin: TokenOrigin) throws {
        let salt = Hex.encode(try Crypto.randomBytes(8))
        try self.init(hashing: token, salt: salt, rounds: origin.rounds)
    }

    /// Hashes `token` with the given salt and rounds (for verification and test vectors).
    public init(hashing token: String, salt: String, rounds: Int) throws {
        guard rounds >= 0, rounds <= TokenHash.maxRounds else { throw TokenError.malformedHash }
        let bytes = try Crypto.sha512(salt: Array(salt.utf8), data: Array(token.utf8), rounds: UInt32(rounds))
        self.rounds = rounds
        self.salt = salt
        self.digest = Hex.encode(bytes)
    }

    /// Parses a stored value; only `sha512` is accepted.
    public init(parsing stored: String) throws(TokenError) {
        let parts = stored.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "sha512",
              let rounds = Int(parts[1]), rounds >= 0, rounds <= TokenHash.maxRounds,
              !parts[2].isEmpty, !parts[2].contains(where: { !$0.isASCII }),
              parts[3].count == 128, Hex.decode(String(parts[3])) != nil
        else { throw TokenError.malformedHash }
        self.rounds = rounds
        self.salt = String(parts[2])
        self.digest = parts[3].lowercased()
    }

    /// The stored form.
    public var description: String { "sha512:\(rounds):\(salt):\(digest)" }

    /// Whether `token` hashes to this value; constant-time over the digest. Over-long tokens never match.
    public func matches(_ token: String) -> Bool {
        guard token.count <= TokenRules.maxLength,
              let candidate = try? TokenHash(hashing: token, salt: salt, rounds: rounds) else { return false }
        return Crypto.constantTimeEqual(candidate.digest, digest)
    }
}
