// Proof Key for Code Exchange (RFC 7636) for the hub's OAuth provider. Current single-user servers send
// an S256 challenge at authorize time and the verifier at the token exchange; 4.x servers send neither,
// so PKCE stays optional: it is enforced only when a challenge was stored with the code.

/// A PKCE challenge method (RFC 7636 §4.2).
public enum PKCEMethod: String, Sendable, Hashable {
    case plain
    case s256 = "S256"

    /// The method named by a `code_challenge_method` parameter; absent means `plain` (RFC 7636 §4.3).
    public init?(parameter: String?) {
        guard let parameter else { self = .plain; return }
        self.init(rawValue: parameter)
    }
}

/// Checks a `code_verifier` against the challenge stored with an authorization code.
public enum PKCE {
    /// Longest verifier RFC 7636 allows; longer input is refused before hashing.
    public static let maxVerifierLength = 128

    /// Whether `verifier` answers `challenge` under `method` (constant-time compare). Like oauthlib, the
    /// verifier's alphabet is not policed (a client JupyterHub accepts must work here too), only its length.
    public static func verify(verifier: String, challenge: String, method: PKCEMethod) -> Bool {
        guard !verifier.isEmpty, verifier.utf8.count <= maxVerifierLength else { return false }
        let expected: String
        switch method {
        case .plain:
            expected = verifier
        case .s256:
            guard let digest = try? Crypto.sha256(Array(verifier.utf8)) else { return false }
            expected = Base64.encode(digest, alphabet: .urlSafe, padded: false)
        }
        return Crypto.constantTimeEqual(expected, challenge)
    }

    /// The S256 challenge for `verifier` (what a client sends at authorize time).
    public static func s256Challenge(for verifier: String) throws -> String {
        Base64.encode(try Crypto.sha256(Array(verifier.utf8)), alphabet: .urlSafe, padded: false)
    }
}
