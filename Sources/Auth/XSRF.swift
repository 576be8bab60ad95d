// XSRF protection as JupyterHub 4.1+ does it (hub and single-user servers share the rules):
// the token is a signed value of "<session id>:<cookie id>" (or an anonymous id before login),
// url-safe base64 without padding, and a request passes when the submitted token equals the
// `_xsrf` cookie and that cookie is a valid signature of the id expected for this request.

/// Why an XSRF check failed; `message` is the 403 text.
public enum XSRFFailure: Error, Equatable, Sendable {
    case missing(method: String)
    case mismatch(method: String)

    /// The 403 message JupyterHub sends.
    public var message: String {
        switch self {
        case .missing(let method): return "'_xsrf' argument missing from \(method.uppercased())"
        case .mismatch(let method): return "XSRF cookie does not match \(method.uppercased()) argument"
        }
    }
}

/// Creating, reading and checking XSRF tokens.
public enum XSRF {
    /// Cookie and signed-value name.
    public static let cookieName = "_xsrf"
    /// Signed XSRF values older than this are refused.
    public static let maxAgeDays = 31.0
    /// `Max-Age` of the cookie while the visitor is anonymous.
    public static let anonymousCookieMaxAge = 3600

    /// The id a logged-in browser's tokens are bound to: `<session id>:<cookie id>`.
    public static func tokenID(sessionID: String?, cookieID: String) -> String {
        "\(sessionID ?? ""):\(cookieID)"
    }

    /// The id for an anonymous visitor: `<session id or "">:<anonymous id>`.
    public static func anonymousTokenID(sessionID: String?, clientIP: String, identifyingHeaders: [String]) throws -> String {
        "\(sessionID ?? ""):\(try anonymousID(clientIP: clientIP, identifyingHeaders: identifyingHeaders))"
    }

    /// Url-safe base64 SHA-256 of the client IP and identifying headers (default: `User-Agent`),
    /// each header followed by 0xFF: stable for one browser over a login, rarely shared by two.
    public static func anonymousID(clientIP: String, identifyingHeaders: [String]) throws -> String {
        var input = Array(clientIP.utf8)
        for header in identifyingHeaders {
            input += Array(header.utf8)
            input.append(0xff)
        }
        return Base64.encode(try Crypto.sha256(input), alphabet: .urlSafe, padded: true)
    }

    /// A new token for `id`.
    public static func createToken(id: String, secret: CookieSecret, now: Int = SignedValue.currentTime()) throws -> String {
        let signed = try SignedValue.create(name: cookieName, value: Array(id.utf8), secret: secret, now: now)
        return Base64.encode(Array(signed.utf8), alphabet: .urlSafe, padded: false)
    }

    /// The id inside a token, or nil if it is not a valid, unexpired token of ours.
    public static func tokenID(in token: String, secret: CookieSecret, now: Int = SignedValue.currentTime()) -> String? {
        guard let raw = Base64.decode(token, alphabet: .urlSafe),
              let signed = String(validating: raw, as: UTF8.self),
              let id = try? SignedValue.decode(signed, name: cookieName, secret: secret, maxAgeDays: maxAgeDays, now: now)
        else { return nil }
        return String(validating: id, as: UTF8.self)
    }

    /// The token a request submits: form/query `_xsrf`, else `X-XSRFToken`, else `X-CSRFToken` (first non-empty).
    public static func submittedToken(argument: String?, xsrfHeader: String?, csrfHeader: String?) -> String? {
        for candidate in [argument, xsrfHeader, csrfHeader] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return nil
    }

    /// Whether a request must carry a valid XSRF token. Token-authenticated requests never do;
    /// cookie-authenticated ones do unless they are a websocket, a navigation/unspecified read,
    /// or a same-origin `no-cors` read.
    public static func requiresXSRF(method: String, secFetchMode: String?, secFetchSite: String? = nil, isCookieAuth: Bool) -> Bool {
        guard isCookieAuth else { return false }
        let mode = secFetchMode?.lowercased() ?? "unspecified"
        let site = secFetchSite?.lowercased() ?? "unspecified"
        let readOnly = ["GET", "HEAD", "OPTIONS"].contains(method.uppercased())
        if mode == "websocket" { return false }
        if readOnly, mode == "navigate" || mode == "unspecified" { return false }
        if readOnly, mode == "no-cors", site == "same-origin" { return false }
        return true
    }

    /// Whether this response may set a fresh `_xsrf` cookie (only on navigations, or when the header is absent).
    public static func mayIssueCookie(secFetchMode: String?) -> Bool {
        (secFetchMode?.lowercased() ?? "navigate") == "navigate"
    }

    /// The cookie's token if it is valid for `expectedID`; otherwise nil (a new one must be issued).
    public static func validCookieToken(_ cookie: String?, expectedID: String, secret: CookieSecret,
                                        now: Int = SignedValue.currentTime()) -> String? {
        guard let cookie, let id = tokenID(in: cookie, secret: secret, now: now),
              Crypto.constantTimeEqual(id, expectedID) else { return nil }
        return cookie
    }

    /// Checks a request that `requiresXSRF`: the submitted token must equal a cookie valid for `expectedID`.
    public static func check(method: String, submitted: String?, cookie: String?, expectedID: String,
                             secret: CookieSecret, now: Int = SignedValue.currentTime()) -> Result<Void, XSRFFailure> {
        guard let submitted, !submitted.isEmpty else { return .failure(.missing(method: method)) }
        guard let valid = validCookieToken(cookie, expectedID: expectedID, secret: secret, now: now),
              Crypto.constantTimeEqual(submitted, valid)
        else { return .failure(.mismatch(method: method)) }
        return .success(())
    }
}
