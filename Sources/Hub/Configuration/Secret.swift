import Foundation
import Yams

/// Where a secret came from; this, never the value, is what logs and `config check` show.
public enum SecretSource: Sendable, Equatable, CustomStringConvertible {
    /// Written in the configuration file itself (tests, laptops).
    case inline
    /// Read from the named environment variable.
    case environment(String)
    /// Read from the file at this path.
    case file(String)

    /// `<secret from env CULLER_TOKEN>`-style placeholder.
    public var description: String {
        switch self {
        case .inline: return "<secret given inline>"
        case .environment(let name): return "<secret from env \(name)>"
        case .file(let path): return "<secret from file \(path)>"
        }
    }
}

/// A resolved secret value that never prints itself, not even through `dump` or a debugger's mirror.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret; hand it only to code that needs it, never to a logger.
    public let value: String
    /// Where it came from.
    public let source: SecretSource

    public init(value: String, source: SecretSource) {
        self.value = value
        self.source = source
    }

    /// The placeholder, so string interpolation cannot leak the value.
    public var description: String { source.description }
    public var debugDescription: String { source.description }
    public var customMirror: Mirror { Mirror(self, children: ["source": source]) }
}

extension ConfigReader {
    /// The three spellings of one secret trait: `name`, `name_env`, `name_file`.
    static func secretTwins(_ name: String) -> [String] {
        [name, name + "_env", name + "_file"]
    }

    /// Resolves one spelling of a secret trait (`key` is `name`, `name_env` or `name_file`).
    func secret(_ node: Node, _ path: String, key: String, base: String) -> Secret? {
        guard let text = nonEmptyString(node, path) else { return nil }
        if key == base {
            return Secret(value: text, source: .inline)
        }
        if key == base + "_env" {
            guard let value = environment[text] else {
                fail(path, node, "environment variable \(text) is not set")
                return nil
            }
            guard !value.isEmpty else {
                fail(path, node, "environment variable \(text) is empty")
                return nil
            }
            return Secret(value: value, source: .environment(text))
        }
        let fullPath = text.hasPrefix("/") ? text : baseDirectory + "/" + text
        let contents: String
        do {
            contents = try String(contentsOfFile: fullPath, encoding: .utf8)
        } catch {
            fail(path, node, "cannot read secret file \(text): \(Self.fileProblem(fullPath))")
            return nil
        }
        // Files written by `echo` or editors end in a newline that is not part of the secret.
        let value = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else {
            fail(path, node, "secret file \(text) is empty")
            return nil
        }
        return Secret(value: value, source: .file(text))
    }

    /// A short reason a file cannot be read, without echoing its contents.
    static func fileProblem(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return "not valid UTF-8 text"
    }
}
