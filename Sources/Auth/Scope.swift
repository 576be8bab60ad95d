// Scope values as types: a `ScopeName` (the base, e.g. `read:users`) plus an optional `ScopeFilter`
// (`!user=alice`). Parsing is strict and names the offending scope, because scopes arrive from
// config files, API bodies and the database, and a typo must never silently grant or drop access.

/// The base of a scope, e.g. `read:users` or `custom:myapp:read`; validity is decided by a `ScopeHierarchy`.
public struct ScopeName: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: ScopeName, b: ScopeName) -> Bool { a.rawValue < b.rawValue }
}

/// Which kind of resource a filter names.
public enum ScopeFilterKind: String, Hashable, Sendable, CaseIterable {
    case user, server, group, service
}

/// A user's server named in a `!server=user/name` filter; the default server has the empty name.
public struct ServerRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let user: String
    public let name: String
    public init(user: String, name: String) { self.user = user; self.name = name }
    /// `alice/` for the default server, `alice/nb1` for a named one.
    public var description: String { "\(user)/\(name)" }
    public static func < (a: ServerRef, b: ServerRef) -> Bool { a.description < b.description }
}

/// The `!…` part of a scope.
public enum ScopeFilter: Hashable, Sendable, CustomStringConvertible {
    case user(String)
    case server(ServerRef)
    case group(String)
    case service(String)
    /// Bare `!user`, `!server`, `!service` in a role definition: resolved to whoever holds the role.
    case holder(ScopeFilterKind)

    public var description: String {
        switch self {
        case .user(let u): return "user=\(u)"
        case .server(let s): return "server=\(s)"
        case .group(let g): return "group=\(g)"
        case .service(let s): return "service=\(s)"
        case .holder(let kind): return kind.rawValue
        }
    }
}

/// One scope: a base and an optional filter, e.g. `read:users!group=staff`.
public struct Scope: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let name: ScopeName
    public let filter: ScopeFilter?

    public init(_ name: ScopeName, filter: ScopeFilter? = nil) {
        self.name = name
        self.filter = filter
    }

    /// The wire form, `base` or `base!filter`.
    public var description: String {
        guard let filter else { return name.rawValue }
        return "\(name.rawValue)!\(filter)"
    }

    public static func < (a: Scope, b: Scope) -> Bool { a.description < b.description }

    /// Parses and validates one scope string against `hierarchy`.
    public init(parsing text: String, in hierarchy: ScopeHierarchy = .standard) throws(ScopeError) {
        let base: Substring
        let filterText: Substring?
        if let bang = text.firstIndex(of: "!") {
            base = text[..<bang]
            filterText = text[text.index(after: bang)...]
        } else {
            base = Substring(text)
            filterText = nil
        }
        let name = ScopeName(rawValue: String(base))
        guard hierarchy.contains(name) else {
            if base == "all" { throw ScopeError.renamed(scope: text, hint: "draft scope 'all' is now called 'inherit'") }
            throw ScopeError.unknownScope(text)
        }
        self.name = name
        if let filterText {
            self.filter = try Scope.parseFilter(filterText, in: Substring(text))
        } else {
            self.filter = nil
        }
    }

    private static func parseFilter(_ filter: Substring, in scope: Substring) throws(ScopeError) -> ScopeFilter {
        let scopeText = String(scope)
        guard let eq = filter.firstIndex(of: "=") else {
            switch filter {
            case "user": return .holder(.user)
            case "server": return .holder(.server)
            case "service": return .holder(.service)
            default: throw ScopeError.badFilter(scope: scopeText, reason: "unknown filter '!\(filter)'")
            }
        }
        let kind = filter[..<eq]
        let value = String(filter[filter.index(after: eq)...])
        guard !value.isEmpty else {
            throw ScopeError.badFilter(scope: scopeText, reason: "empty value in filter '!\(filter)'")
        }
        switch kind {
        case "user": return .user(value)
        case "group": return .group(value)
        case "service": return .service(value)
        case "server":
            // The user name ends at the first '/', as in JupyterHub; the default server is `alice/`.
            guard let slash = value.firstIndex(of: "/"), slash != value.startIndex else {
                throw ScopeError.badFilter(scope: scopeText, reason: "server filter must be '!server=<user>/<server>'")
            }
            return .server(ServerRef(user: String(value[..<slash]), name: String(value[value.index(after: slash)...])))
        default:
            throw ScopeError.badFilter(scope: scopeText, reason: "unknown filter kind '\(kind)'")
        }
    }

    /// Parses many scope strings; the first invalid one is reported.
    public static func parseAll(_ texts: some Sequence<String>, in hierarchy: ScopeHierarchy = .standard) throws(ScopeError) -> [Scope] {
        var out: [Scope] = []
        for text in texts { out.append(try Scope(parsing: text, in: hierarchy)) }
        return out
    }
}

/// Why a scope (or a set of them) was refused; every case names the scope at fault.
public enum ScopeError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownScope(String)
    case renamed(scope: String, hint: String)
    case badFilter(scope: String, reason: String)
    case invalidCustomScope(String, reason: String)
    /// Token or share request for scopes the owner does not hold.
    case excessScopes([String], owner: String)

    public var description: String {
        switch self {
        case .unknownScope(let s): return "Scope '\(s)' does not exist"
        case .renamed(let s, let hint): return "Scope '\(s)' does not exist: \(hint)"
        case .badFilter(let s, let reason): return "Invalid filter in scope '\(s)': \(reason)"
        case .invalidCustomScope(let s, let reason): return "Invalid custom scope '\(s)': \(reason)"
        case .excessScopes(let scopes, let owner):
            return "Not assigning requested scopes \(scopes.joined(separator: ",")) not held by \(owner)"
        }
    }
}
