// Where to send a browser after login (or when a page needs a destination): a validated `next`,
// else the configured default, else the user's running server, `/hub/spawn` or `/hub/home`.
// When the target is a default (not `next`), the current request's query is carried along minus
// `next` and `_xsrf`, so e.g. `?foo=1` on `/hub/login` survives to the spawn page.

/// Inputs for choosing the post-login destination.
public struct LoginRedirect: Sendable {
    /// Validates `next`.
    public var validator: NextURLValidator
    /// The hub's URL prefix, e.g. `/hub/`.
    public var hubPrefix: String
    /// `JupyterHub.default_url`, if configured.
    public var defaultURL: String?
    /// `JupyterHub.redirect_to_server` (default true).
    public var redirectToServer: Bool

    public init(validator: NextURLValidator, hubPrefix: String, defaultURL: String? = nil, redirectToServer: Bool = true) {
        self.validator = validator
        self.hubPrefix = hubPrefix.hasSuffix("/") ? hubPrefix : hubPrefix + "/"
        self.defaultURL = defaultURL
        self.redirectToServer = redirectToServer
    }

    /// The destination. `userServerURL` is the logged-in user's default server URL (nil when nobody is
    /// logged in); `serverActive` says whether that server is running; `rawQuery` is the request's query string.
    public func destination(next: String?, fallback: String? = nil, userServerURL: String?, serverActive: Bool,
                            rawQuery: String?) -> String {
        if let next, let safe = validator.validate(next) { return safe }
        let target: String
        if let fallback, !fallback.isEmpty {
            target = fallback
        } else if let defaultURL, !defaultURL.isEmpty {
            target = defaultURL
        } else if let userServerURL, redirectToServer {
            target = serverActive ? userServerURL : hubPrefix + "spawn"
        } else {
            target = hubPrefix + "home"
        }
        return Self.appending(query: rawQuery, to: target, excluding: ["next", "_xsrf"])
    }

    /// Appends the `&`-separated pairs of `query` whose names are not excluded, keeping their encoding.
    static func appending(query: String?, to url: String, excluding: Set<String>) -> String {
        guard let query, !query.isEmpty else { return url }
        let kept = query.split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return !name.isEmpty && !excluding.contains(String(name))
        }
        guard !kept.isEmpty else { return url }
        var base = Substring(url)
        var fragment = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = String(base[hash...])
            base = base[..<hash]
        }
        let separator = base.contains("?") ? "&" : "?"
        return base + separator + kept.joined(separator: "&") + fragment
    }
}
