// Spawner state ↔ the JSON object text stored in `servers.state` (and shown as the model's `state`).
import Spawners
import Store

enum SpawnerStateCoding {
    /// The state as JSON object text.
    static func text(_ state: SpawnerState) throws -> JSONObjectText {
        var members: [String: JSONValue] = [:]
        for (key, value) in state.values {
            switch value {
            case .string(let s): members[key] = .string(s)
            case .int(let i): members[key] = .int(i)
            case .double(let d): members[key] = .double(d)
            case .bool(let b): members[key] = .bool(b)
            case .null: members[key] = .null
            }
        }
        return try JSONObjectText(JSONValue.object(members).jsonText)
    }

    /// The stored text as state; members that are not scalars (never written by PawsHub) are dropped.
    static func state(_ text: JSONObjectText) -> SpawnerState {
        guard case .object(let members)? = try? JSONValue.parse(text.text) else { return .empty }
        var values: [String: SpawnerStateValue] = [:]
        for (key, value) in members {
            switch value {
            case .string(let s): values[key] = .string(s)
            case .int(let i): values[key] = .int(i)
            case .double(let d): values[key] = .double(d)
            case .bool(let b): values[key] = .bool(b)
            case .null: values[key] = .null
            case .array, .object: continue
            }
        }
        return SpawnerState(values)
    }
}
