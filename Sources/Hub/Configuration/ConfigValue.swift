/// A free-form YAML value kept for traits that pass Kubernetes objects through (volumes, tolerations, …).
public enum ConfigValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case map([String: ConfigValue])

    /// The string for `.string`, nil otherwise.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The dictionary for `.map`, nil otherwise.
    public var mapValue: [String: ConfigValue]? {
        if case .map(let value) = self { return value }
        return nil
    }
}
