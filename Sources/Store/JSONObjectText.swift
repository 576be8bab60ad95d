import Foundation
import GRDB

/// A JSON object kept as its UTF-8 text (spawner state, user options, group properties).
///
/// The Store persists these opaque to its callers' schemas; it only guarantees the text is a JSON object.
public struct JSONObjectText: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The JSON text, e.g. `{"profile":"small"}`.
    public let text: String

    /// The empty object `{}`.
    public static let empty = JSONObjectText(trusted: "{}")

    /// Validates that `text` is a JSON object; throws `StoreError.invalidValue` otherwise.
    public init(_ text: String) throws {
        guard let data = text.data(using: .utf8),
              (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) is [String: Any] else {
            throw StoreError.invalidValue("not a JSON object: \(text.prefix(60))")
        }
        self.text = text
    }

    /// Encodes `value` (which must encode as a JSON object) with sorted keys.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try self.init(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    init(trusted text: String) { self.text = text }

    /// Decodes the object as `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws { try self.init(decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension JSONObjectText: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { text.databaseValue }
    // Rows were validated on the way in; re-parsing thousands of them at start-up would be wasted work.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Self? { String.fromDatabaseValue(dbValue).map(Self.init(trusted:)) }
}
