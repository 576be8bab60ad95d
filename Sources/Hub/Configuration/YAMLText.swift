import Foundation

/// Writes effective configuration values back as YAML text for `config check`.
enum YAMLText {
    /// A scalar, quoted when YAML would otherwise read it as something else.
    static func scalar(_ text: String) -> String {
        let plainSafe = !text.isEmpty
            && !["true", "false", "null", "~", "yes", "no", "on", "off"].contains(text.lowercased())
            && Double(text) == nil
            && text.first.map { !"-?:,[]{}#&*!|>'\"%@` ".contains($0) } ?? false
            // Values are also written inside flow collections, where these characters end a plain scalar.
            && !text.contains(where: { ",[]{}".contains($0) })
            && !text.contains(": ") && !text.contains(" #") && !text.hasSuffix(":") && !text.hasSuffix(" ")
            && !text.contains(where: { $0.isNewline || $0 == "\t" })
        if plainSafe { return text }
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if character.value < 0x20 {
                    escaped += String(format: "\\x%02X", character.value)
                } else {
                    escaped.unicodeScalars.append(character)
                }
            }
        }
        return "\"\(escaped)\""
    }

    /// A flow-style list of strings: `[a, "b c"]`.
    static func list(_ items: [String]) -> String {
        "[" + items.map(scalar).joined(separator: ", ") + "]"
    }

    /// A flow-style mapping of strings with sorted keys: `{a: b}`.
    static func map(_ entries: [String: String]) -> String {
        "{" + entries.sorted { $0.key < $1.key }.map { "\(scalar($0.key)): \(scalar($0.value))" }
            .joined(separator: ", ") + "}"
    }

    /// A duration in seconds, JupyterHub's unit.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return String(seconds) }
        return ConfigReader.format(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// A free-form value in flow style.
    static func value(_ value: ConfigValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return String(flag)
        case .int(let number): return String(number)
        case .double(let number): return ConfigReader.format(number)
        case .string(let text): return scalar(text)
        case .list(let items): return "[" + items.map(Self.value).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.sorted { $0.key < $1.key }.map { "\(scalar($0.key)): \(Self.value($0.value))" }
                .joined(separator: ", ") + "}"
        }
    }
}
