// Spawner state is a flat JSON object (KubeSpawner keeps pod_name/namespace/dns_name, LocalProcessSpawner a pid).
// A small value type keeps the Spawners module free of any JSON library; the hub turns it into the stored JSON
// text and back, and shows it as the server model's `state`.

/// One value in a spawner's persisted state.
public enum SpawnerStateValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null
}

/// A spawner's persisted state: what a restarted hub needs to find the server again.
public struct SpawnerState: Sendable, Hashable {
    /// The members, by key.
    public var values: [String: SpawnerStateValue]

    /// State with these members.
    public init(_ values: [String: SpawnerStateValue] = [:]) { self.values = values }

    /// No state: a spawner that never started (or was cleared).
    public static let empty = SpawnerState()

    /// True when there is nothing to persist.
    public var isEmpty: Bool { values.isEmpty }

    /// The member at `key`.
    public subscript(key: String) -> SpawnerStateValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// The string member at `key`, if it is one.
    public func string(_ key: String) -> String? {
        if case .string(let text)? = values[key] { return text }
        return nil
    }

    /// The integer member at `key`, if it is one.
    public func int(_ key: String) -> Int64? {
        if case .int(let number)? = values[key] { return number }
        return nil
    }
}
