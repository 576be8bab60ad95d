import Foundation
import Yams

/// Reads typed values out of the YAML node tree, collecting every problem instead of stopping at the first.
///
/// Not Sendable: one reader lives for one load on one task.
final class ConfigReader {
    let file: String
    let environment: [String: String]
    /// Directory that relative `…_file` paths are resolved against.
    let baseDirectory: String
    private(set) var issues: [ConfigurationIssue] = []

    init(file: String, environment: [String: String], baseDirectory: String) {
        self.file = file
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    /// Records a problem at `node` (or at no line when `node` is nil).
    func fail(_ path: String, _ node: Node?, _ reason: String, suggestion: String? = nil) {
        issues.append(ConfigurationIssue(
            file: file, line: node?.mark?.line, keyPath: path, reason: reason, suggestion: suggestion))
    }

    /// Records a problem at a known line.
    func fail(_ path: String, line: Int?, _ reason: String, suggestion: String? = nil) {
        issues.append(ConfigurationIssue(
            file: file, line: line, keyPath: path, reason: reason, suggestion: suggestion))
    }

    /// Whether a problem was already reported at any of these key paths (so one mistake gives one line).
    func hasIssue(atAnyOf paths: [String]) -> Bool {
        issues.contains { paths.contains($0.keyPath) }
    }

    // MARK: - Scalars

    /// A short description of what the node is, for "expected X, got Y" messages.
    func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(node) { return "null" }
            if scalar.style != .plain && scalar.style != .any { return "the string \"\(scalar.string)\"" }
            return "`\(scalar.string)`"
        }
    }

    /// True for an unquoted `null`, `~` or empty scalar.
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func plainScalar(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return nil }
        return scalar.string
    }

    /// Any scalar's text; lists, mappings and null are refused.
    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            fail(path, node, "expected a string, got \(kind(of: node))")
            return nil
        }
        return scalar.string
    }

    /// A non-empty string.
    func nonEmptyString(_ node: Node, _ path: String) -> String? {
        guard let value = string(node, path) else { return nil }
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            fail(path, node, "must not be empty")
            return nil
        }
        return value
    }

    /// `true`/`false` in YAML 1.2 spellings; quoted strings are refused so `"false"` is never read as true.
    func bool(_ node: Node, _ path: String) -> Bool? {
        switch plainScalar(node) {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            fail(path, node, "expected true or false, got \(kind(of: node))")
            return nil
        }
    }

    /// An unquoted integer, at least `minimum`.
    func int(_ node: Node, _ path: String, minimum: Int? = nil) -> Int? {
        guard let text = plainScalar(node), let value = Int(text) else {
            fail(path, node, "expected an integer, got \(kind(of: node))")
            return nil
        }
        if let minimum, value < minimum {
            fail(path, node, "must be \(minimum) or more, got \(value)")
            return nil
        }
        return value
    }

    /// An unquoted number (integer or decimal), at least `minimum`.
    func double(_ node: Node, _ path: String, minimum: Double? = nil) -> Double? {
        guard let text = plainScalar(node), let value = Double(text), value.isFinite else {
            fail(path, node, "expected a number, got \(kind(of: node))")
            return nil
        }
        if let minimum, value < minimum {
            fail(path, node, "must be \(Self.format(minimum)) or more, got \(text)")
            return nil
        }
        return value
    }

    /// A duration in seconds (JupyterHub's unit), zero or more.
    func seconds(_ node: Node, _ path: String) -> Duration? {
        guard let value = double(node, path, minimum: 0) else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    // MARK: - Collections

    /// The key/value pairs of a mapping whose keys are strings.
    func mapping(_ node: Node, _ path: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            fail(path, node, "expected a mapping, got \(kind(of: node))")
            return nil
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                fail(path, keyNode, "keys must be strings, got \(kind(of: keyNode))")
                continue
            }
            pairs.append((key.string, keyNode, value))
        }
        return pairs
    }

    /// The items of a list.
    func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            fail(path, node, "expected a list, got \(kind(of: node))")
            return nil
        }
        return Array(sequence)
    }

    /// A list of strings; a single string is also accepted as a one-item list when `allowSingle` (like traitlets' Command).
    func stringList(_ node: Node, _ path: String, allowSingle: Bool = false) -> [String]? {
        if allowSingle, case .scalar = node, !isNull(node) {
            return string(node, path).map { [$0] }
        }
        guard let items = sequence(node, path) else { return nil }
        var values: [String] = []
        var ok = true
        for (index, item) in items.enumerated() {
            if let value = string(item, "\(path)[\(index)]") { values.append(value) } else { ok = false }
        }
        return ok ? values : nil
    }

    /// A mapping of strings to scalars rendered as strings (labels, environment variables).
    func stringMap(_ node: Node, _ path: String) -> [String: String]? {
        if isNull(node) { return [:] }
        guard let pairs = mapping(node, path) else { return nil }
        var values: [String: String] = [:]
        var ok = true
        for pair in pairs {
            if let value = string(pair.value, "\(path).\(pair.key)") { values[pair.key] = value } else { ok = false }
        }
        return ok ? values : nil
    }

    /// Any YAML value, with plain scalars typed the way YAML 1.2's core schema types them.
    func value(_ node: Node, _ path: String) -> ConfigValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
            if isNull(node) { return .null }
            switch scalar.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let int = Int(scalar.string) { return .int(int) }
            if let double = Double(scalar.string), double.isFinite { return .double(double) }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .list(sequence.enumerated().map { value($0.element, "\(path)[\($0.offset)]") })
        case .mapping:
            var entries: [String: ConfigValue] = [:]
            for pair in mapping(node, path) ?? [] { entries[pair.key] = value(pair.value, "\(path).\(pair.key)") }
            return .map(entries)
        case .alias:
            fail(path, node, "YAML aliases are not supported here")
            return .null
        }
    }

    /// A number formatted without a trailing `.0` when it is whole.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
