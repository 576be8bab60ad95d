import Foundation

/// A listening or connecting URL split into the parts the hub uses: `http://0.0.0.0:8000/prefix/`.
public struct BindURL: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// Host or IP; empty means every interface, as JupyterHub reads `http://:8081`.
    public let host: String
    /// Port, defaulted from the scheme when the URL has none.
    public let port: Int
    /// Base path, always starting and ending with `/`.
    public let basePath: String

    /// Parses `scheme://host:port/path`; returns a reason instead when the URL cannot be used.
    public static func parse(_ text: String) -> Result<BindURL, BindURLProblem> {
        guard let schemeEnd = text.range(of: "://") else {
            return .failure(BindURLProblem("expected a URL like http://127.0.0.1:8000/, got \(text)"))
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return .failure(BindURLProblem("scheme must be http or https, got \(scheme)"))
        }
        let rest = text[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            return .failure(BindURLProblem("must not have a query or fragment"))
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var path = String(rest[slash...])
        if authority.contains("@") {
            return .failure(BindURLProblem("must not contain user information"))
        }
        var host = String(authority)
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return .failure(BindURLProblem("unclosed [ in IPv6 address"))
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(BindURLProblem("unexpected text after ]")) }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        }
        let port: Int
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                return .failure(BindURLProblem("port must be 1–65535, got \(portText)"))
            }
            port = value
        } else {
            port = scheme == "https" ? 443 : 80
        }
        if path.isEmpty { path = "/" }
        if !path.hasSuffix("/") { path += "/" }
        if path.contains("//") {
            return .failure(BindURLProblem("base path must not contain an empty segment, got \(path)"))
        }
        return .success(BindURL(scheme: scheme, host: host.lowercased(), port: port, basePath: path))
    }

    /// True when only this machine can reach the listener (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The URL written back canonically, with the base path.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)\(basePath)"
    }
}

/// Why a URL cannot be used.
public struct BindURLProblem: Error, Sendable, Equatable {
    /// Human-readable reason.
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Where the hub keeps its database; only SQLite exists in PawsHub.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// The SQLite file path as written (relative paths are relative to the working directory, as in SQLAlchemy).
    public let path: String
    /// The URL as the admin wrote it.
    public let url: String

    /// Parses SQLAlchemy-style `sqlite:///relative.sqlite` or `sqlite:////absolute/path.sqlite`.
    public static func parse(_ text: String) -> Result<DatabaseURL, BindURLProblem> {
        let prefix = "sqlite:///"
        guard text.hasPrefix(prefix) else {
            if let scheme = text.split(separator: ":").first, text.contains("://") {
                return .failure(BindURLProblem("only sqlite databases are supported, got \(scheme)"))
            }
            return .failure(BindURLProblem("expected sqlite:///path/to/file.sqlite, got \(text)"))
        }
        let path = String(text.dropFirst(prefix.count))
        guard !path.isEmpty, !path.hasSuffix("/") else {
            return .failure(BindURLProblem("sqlite URL needs a file name, got \(text)"))
        }
        return .success(DatabaseURL(path: path, url: text))
    }

    public var description: String { url }
}
