/// One problem found in a configuration file: where it is and why it is wrong.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in (`pawshub.yaml`), or `<defaults>` when no file was given.
    public let file: String
    /// 1-based line of the offending key or value; nil when the problem has no single place (a missing key).
    public let line: Int?
    /// Dotted key path such as `Spawner.mem_limit` or `JupyterHub.services[0].name`; empty for the whole file.
    public let keyPath: String
    /// Why the value is refused, in words an admin can act on.
    public let reason: String
    /// A close known name, offered as "did you mean …?".
    public let suggestion: String?

    public init(file: String, line: Int?, keyPath: String, reason: String, suggestion: String? = nil) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.reason = reason
        self.suggestion = suggestion
    }

    /// `pawshub.yaml:12: Spawner.mem_limt: unknown trait (did you mean mem_limit?)`
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if !keyPath.isEmpty { text += "\(keyPath): " }
        text += reason
        if let suggestion { text += " (did you mean \(suggestion)?)" }
        return text
    }
}

/// Every problem found while loading a configuration; thrown only after the whole file was checked.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// All problems, in file order.
    public let issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        self.issues = issues
    }

    /// One line per problem.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
