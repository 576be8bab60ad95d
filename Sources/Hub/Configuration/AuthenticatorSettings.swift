import Foundation
import Yams

/// Traits of the `Authenticator` class, shared by every login method.
public struct AuthenticatorSettings: Sendable, Equatable {
    /// Users made admins at login (exact names: PAWS keeps wiki names with spaces).
    public var adminUsers: Set<String> = []
    /// Users allowed to log in when `allowAll` is off.
    public var allowedUsers: Set<String> = []
    /// Users refused even when otherwise allowed.
    public var blockedUsers: Set<String> = []
    /// Everyone who authenticates may log in; nil = not configured (see `allowsEveryone(with:)`).
    public var allowAll: Bool?
    /// Keep the login's tokens (encrypted with the crypt keys) for spawns.
    public var enableAuthState = false
    /// How old a user's authentication may get before it is refreshed.
    public var authRefreshAge: Duration = .seconds(300)
    /// Refresh authentication before every spawn.
    public var refreshPreSpawn = false
    /// Skip the login page and go straight to the provider.
    public var autoLogin = false

    public init() {}

    /// Whether any authenticated user may log in: `allow_all` when set; unset, only the dev login lets everyone in.
    public func allowsEveryone(with authenticator: AuthenticatorClass) -> Bool {
        allowAll ?? (authenticator == .dummy)
    }

    static var traits: [Trait<Self>] {
        [
            .typed("admin_users", \.adminUsers, read: { $0.stringSet($1, $2) }, show: YAMLText.set),
            .typed("allowed_users", \.allowedUsers, read: { $0.stringSet($1, $2) }, show: YAMLText.set),
            .typed("blocked_users", \.blockedUsers, read: { $0.stringSet($1, $2) }, show: YAMLText.set),
            .optional("allow_all", \.allowAll, read: { $0.bool($1, $2) }, show: { String($0) }),
            .bool("enable_auth_state", \.enableAuthState),
            .seconds("auth_refresh_age", \.authRefreshAge),
            .bool("refresh_pre_spawn", \.refreshPreSpawn),
            .bool("auto_login", \.autoLogin),
        ]
    }
}

/// Traits of `MWOAuthenticator` (and of `OAuthenticator`, its base): the Wikimedia OAuth consumer.
public struct MWOAuthenticatorSettings: Sendable, Equatable {
    /// The wiki's `index.php`, where the OAuth 1.0a endpoints live.
    public var mwIndexURL = "https://meta.wikimedia.org/w/index.php"
    /// Consumer key (OAuth 1.0a) or client id (OAuth 2.0).
    public var clientID: Secret?
    /// Consumer or client secret.
    public var clientSecret: Secret?
    /// Callback registered with the consumer; nil = `<public URL>hub/oauth_callback`.
    public var oauthCallbackURL: String?
    /// Name on the login button ("Sign in with MediaWiki").
    public var loginService = "MediaWiki"

    public init() {}

    /// Traits that `OAuthenticator` already has.
    static var oauthTraits: [Trait<Self>] {
        Trait.secret("client_id", \.clientID) + Trait.secret("client_secret", \.clientSecret) + [
            .optional("oauth_callback_url", \.oauthCallbackURL, read: { $0.webURL($1, $2) }, show: YAMLText.scalar),
            .string("login_service", \.loginService),
        ]
    }

    static var traits: [Trait<Self>] {
        [.typed("mw_index_url", \.mwIndexURL, read: { $0.webURL($1, $2) }, show: YAMLText.scalar)] + oauthTraits
    }
}

/// Traits of `DummyAuthenticator`, the development login.
public struct DummyAuthenticatorSettings: Sendable, Equatable {
    /// A shared password every user must give; nil = any password.
    public var password: Secret?

    public init() {}

    static var traits: [Trait<Self>] {
        Trait.secret("password", \.password)
    }
}

extension ConfigReader {
    /// A list of names, duplicates folded.
    func stringSet(_ node: Node, _ path: String) -> Set<String>? {
        if isNull(node) { return [] }
        return stringList(node, path).map(Set.init)
    }

    /// An absolute http(s) URL kept as written (paths such as `/w/index.php` must not gain a slash).
    func webURL(_ node: Node, _ path: String) -> String? {
        guard let text = nonEmptyString(node, path) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            fail(path, node, "expected an absolute http or https URL, got \(text)")
            return nil
        }
        return text
    }
}

extension YAMLText {
    /// A set as a sorted flow list, so output is stable.
    static func set(_ items: Set<String>) -> String { list(items.sorted()) }
}
