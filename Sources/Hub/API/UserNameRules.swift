// User names as the configured authenticator sees them: JupyterHub's `normalize_username` and
// `validate_username`, so a name created through the API is the same name its owner logs in with.

/// Normalises and validates user names for the configured login.
struct UserNameRules: Sendable {
    /// JupyterHub's default authenticators lower-case names; PAWS's MediaWiki logins keep wiki names as they are.
    let lowercases: Bool

    init(_ authenticator: AuthenticatorClass) {
        lowercases = authenticator == .dummy
    }

    /// The name the authenticator would produce for `name`.
    func normalize(_ name: String) -> String { lowercases ? name.lowercased() : name }

    /// JupyterHub's rules (non-empty, no `/`, no surrounding white space) plus no control characters, which
    /// could forge log lines or break headers and pod labels.
    func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, !name.contains("/") else { return false }
        if let first = name.first, first.isWhitespace { return false }
        if let last = name.last, last.isWhitespace { return false }
        return !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// The normalised, valid form of `name`, or 400 "Invalid username: …".
    func checked(_ name: String) throws(HubError) -> String {
        let normalized = normalize(name)
        guard isValid(normalized) else { throw HubError.badRequest("Invalid username: \(normalized)") }
        return normalized
    }
}
