import GRDB

/// Which slice of a list to return; rows are always ordered by id.
public struct PageRequest: Sendable, Hashable {
    /// Rows to skip (negative values count as 0).
    public var offset: Int
    /// Maximum rows to return; nil = no limit (the REST layer clamps to its own maximum).
    public var limit: Int?

    /// A page starting at `offset` of at most `limit` rows.
    public init(offset: Int = 0, limit: Int? = nil) {
        self.offset = offset
        self.limit = limit
    }

    /// Everything.
    public static let all = PageRequest()

    var sqlLimit: Int { limit.map { max(0, $0) } ?? -1 }
    var sqlOffset: Int { max(0, offset) }
}

/// One page of results and the number of rows matching the query (for `_pagination.total`).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var offset: Int

    /// True if rows follow this page.
    public var hasMore: Bool { offset + items.count < total }
}

extension Page: Equatable where Item: Equatable {}

/// How a name must match a search string. Case-insensitive (Unicode lower-casing).
public enum NameFilter: Sendable, Hashable {
    case prefix(String)
    case contains(String)

    /// SQL condition on `column` and its arguments. `swiftLowercaseString` is GRDB's Unicode-aware lower():
    /// SQLite's own only folds ASCII, and Wikimedia user names are often not ASCII.
    func sql(column: String) -> (String, StatementArguments) {
        switch self {
        case let .prefix(text):
            let needle = text.lowercased()
            return ("substr(swiftLowercaseString(\(column)), 1, length(?)) = ?", [needle, needle])
        case let .contains(text):
            return ("instr(swiftLowercaseString(\(column)), ?) > 0", [text.lowercased()])
        }
    }
}
