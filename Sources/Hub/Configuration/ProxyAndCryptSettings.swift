import Foundation
import Yams

/// Traits of `ConfigurableHTTPProxy`: the external proxy's REST API, used when `proxy_class` is
/// `configurable-http-proxy`.
public struct ConfigurableHTTPProxySettings: Sendable, Equatable {
    /// The proxy's REST API.
    public var apiURL = BindURL(scheme: "http", host: "127.0.0.1", port: 8001, basePath: "/")
    /// Token for the REST API; falls back to the `CONFIGPROXY_AUTH_TOKEN` environment variable.
    public var authToken: Secret?
    /// Whether the hub launches the proxy; PawsHub never does, so only `false` is accepted.
    public var shouldStart = false

    public init() {}

    static var traits: [Trait<Self>] {
        [.url("api_url", \.apiURL)] + Trait.secret("auth_token", \.authToken) + [
            .typed("should_start", \.shouldStart, read: { reader, node, path in
                guard let start = reader.bool(node, path) else { return nil }
                if start {
                    reader.fail(path, node, "PawsHub does not launch an external proxy: run `pawshub proxy` "
                                + "yourself, or use JupyterHub.proxy_class: embedded")
                    return nil
                }
                return start
            }, show: { String($0) }),
        ]
    }
}

/// Traits of `CryptKeeper`: keys that encrypt auth state at rest (first encrypts, all decrypt).
public struct CryptKeeperSettings: Sendable, Equatable {
    /// Keys, newest first; empty = the `JUPYTERHUB_CRYPT_KEY` environment variable (`;`-separated).
    public var keys: [Secret] = []

    public init() {}

    static var traits: [Trait<Self>] {
        [
            Trait("keys", apply: { settings, node, path, reader in
                if let keys = reader.cryptKeys(node, path, source: .inline) { settings.keys = keys }
            }, render: { YAMLText.list($0.keys.map(\.description)) }),
        ]
    }
}

extension ConfigReader {
    /// Crypt keys from a list or a `;`-joined string, each 32 bytes as 64 hex digits or base64.
    func cryptKeys(_ node: Node, _ path: String, source: SecretSource) -> [Secret]? {
        let texts: [String]?
        if case .scalar = node, !isNull(node) {
            texts = string(node, path)?.split(separator: ";").map(String.init)
        } else {
            texts = isNull(node) ? [] : stringList(node, path)
        }
        guard let texts else { return nil }
        var keys: [Secret] = []
        for (index, text) in texts.enumerated() {
            let key = text.trimmingCharacters(in: .whitespaces)
            guard CryptKeyFormat.isValid(key) else {
                fail(path, node, "key \(index + 1) is not 32 bytes as 64 hex digits or base64 "
                     + "(make one with `openssl rand -hex 32`)")
                return nil
            }
            keys.append(Secret(value: key, source: source))
        }
        return keys
    }
}

/// Accepts the encodings JupyterHub accepts for `JUPYTERHUB_CRYPT_KEY` entries.
enum CryptKeyFormat {
    static func isValid(_ key: String) -> Bool {
        if key.count == 64, key.allSatisfy(\.isHexDigit) { return true }
        let standard = key.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let padded = standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: padded)?.count == 32
    }
}
