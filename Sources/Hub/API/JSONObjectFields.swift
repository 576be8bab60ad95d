// Strict reading of a JSON object body: unknown members and wrong types are 400s that name the
// field, so a client typo is reported rather than silently ignored.

/// The members of a request body that must be a JSON object.
public struct JSONObjectFields: Sendable {
    /// The raw members.
    public let members: [String: JSONValue]

    /// Checks that `value` is an object whose member names are all in `allowed`.
    public init(_ value: JSONValue, allowed: Set<String>) throws(HubError) {
        guard case .object(let members) = value else {
            throw HubError.badRequest("Request body must be a JSON object, not \(value.typeName)")
        }
        let unknown = members.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
            let expected = allowed.sorted().joined(separator: ", ")
            throw HubError.badRequest("Unexpected field\(unknown.count > 1 ? "s" : "") \(list) in request body (allowed: \(expected))")
        }
        self.members = members
    }

    /// Whether `key` was sent (even as null).
    public func has(_ key: String) -> Bool { members[key] != nil }

    /// The raw value of `key`, if sent.
    public func value(_ key: String) -> JSONValue? { members[key] }

    /// A string member; nil when absent or null.
    public func string(_ key: String) throws(HubError) -> String? {
        guard let v = present(key) else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, "a string", v) }
        return s
    }

    /// A boolean member; nil when absent or null.
    public func bool(_ key: String) throws(HubError) -> Bool? {
        guard let v = present(key) else { return nil }
        guard case .bool(let b) = v else { throw wrongType(key, "a boolean", v) }
        return b
    }

    /// An integer member; nil when absent or null.
    public func int(_ key: String) throws(HubError) -> Int64? {
        guard let v = present(key) else { return nil }
        guard case .int(let i) = v else { throw wrongType(key, "an integer", v) }
        return i
    }

    /// A list of strings; nil when absent or null.
    public func strings(_ key: String) throws(HubError) -> [String]? {
        guard let v = present(key) else { return nil }
        guard case .array(let items) = v else { throw wrongType(key, "a list of strings", v) }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw HubError.badRequest("Field '\(key)[\(i)]' must be a string, not \(item.typeName)")
            }
            out.append(s)
        }
        return out
    }

    /// An object member; nil when absent or null.
    public func object(_ key: String) throws(HubError) -> [String: JSONValue]? {
        guard let v = present(key) else { return nil }
        guard case .object(let o) = v else { throw wrongType(key, "an object", v) }
        return o
    }

    /// A string that must be present.
    public func requiredString(_ key: String) throws(HubError) -> String {
        guard let s = try string(key) else { throw HubError.badRequest("Field '\(key)' is required") }
        return s
    }

    private func present(_ key: String) -> JSONValue? {
        guard let v = members[key], v != .null else { return nil }
        return v
    }

    private func wrongType(_ key: String, _ expected: String, _ got: JSONValue) -> HubError {
        HubError.badRequest("Field '\(key)' must be \(expected), not \(got.typeName)")
    }
}
