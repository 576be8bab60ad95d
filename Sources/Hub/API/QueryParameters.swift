// The request's query string, decoded once.
import HTTP

/// Decoded query parameters in order; repeated names keep every value.
public struct QueryParameters: Sendable {
    /// All pairs as sent.
    public let pairs: [(name: String, value: String)]

    public init(_ query: Substring?) {
        pairs = query.map { PercentEncoding.parseQuery($0) } ?? []
    }

    /// The last value of `name`, as Tornado's `get_argument` returns.
    public subscript(_ name: String) -> String? { pairs.last { $0.name == name }?.value }

    /// Every value of `name`.
    public func values(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// Whether `name` is present at all.
    public func contains(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    /// A JupyterHub-style flag: absent → `default`; `0`/`false` (any case) → false; anything else → true.
    public func flag(_ name: String, default value: Bool = false) -> Bool {
        guard let text = self[name] else { return value }
        return !["0", "false"].contains(text.lowercased())
    }
}
