import Yams

/// One configurable trait of a class: its YAML name, how to read it into the settings, how to show it back.
///
/// Keeping the name, the reader and the renderer together means a trait cannot be parsed but not shown,
/// or shown under a different name than the one an admin writes.
struct Trait<Settings> {
    /// The snake_case name as written in YAML (`mem_limit`).
    let name: String
    /// Secret twins (`client_id`, `client_id_env`, `client_id_file`) share a group: only one may be given.
    let group: String?
    /// Reads the node into the settings, reporting problems to the reader.
    let apply: (inout Settings, Node, String, ConfigReader) -> Void
    /// The effective value as YAML text; nil hides the trait (the `_env`/`_file` twins).
    let render: (Settings) -> String?

    init(
        _ name: String, group: String? = nil,
        apply: @escaping (inout Settings, Node, String, ConfigReader) -> Void,
        render: @escaping (Settings) -> String?
    ) {
        self.name = name
        self.group = group
        self.apply = apply
        self.render = render
    }
}

extension Trait {
    /// A trait whose reader yields an optional value and which is assigned only when reading succeeded.
    static func typed<Value>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, Value>,
        read: @escaping (ConfigReader, Node, String) -> Value?,
        show: @escaping (Value) -> String
    ) -> Trait {
        Trait(name, apply: { settings, node, path, reader in
            if let value = read(reader, node, path) { settings[keyPath: keyPath] = value }
        }, render: { show($0[keyPath: keyPath]) })
    }

    /// A trait that may be `null` to clear it.
    static func optional<Value>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, Value?>,
        read: @escaping (ConfigReader, Node, String) -> Value?,
        show: @escaping (Value) -> String
    ) -> Trait {
        Trait(name, apply: { settings, node, path, reader in
            if reader.isNull(node) {
                settings[keyPath: keyPath] = nil
            } else if let value = read(reader, node, path) {
                settings[keyPath: keyPath] = value
            }
        }, render: { $0[keyPath: keyPath].map(show) ?? "null" })
    }

    static func string(_ name: String, _ keyPath: WritableKeyPath<Settings, String>) -> Trait {
        typed(name, keyPath, read: { $0.string($1, $2) }, show: YAMLText.scalar)
    }

    static func optionalString(_ name: String, _ keyPath: WritableKeyPath<Settings, String?>) -> Trait {
        optional(name, keyPath, read: { $0.string($1, $2) }, show: YAMLText.scalar)
    }

    static func bool(_ name: String, _ keyPath: WritableKeyPath<Settings, Bool>) -> Trait {
        typed(name, keyPath, read: { $0.bool($1, $2) }, show: { String($0) })
    }

    static func int(_ name: String, _ keyPath: WritableKeyPath<Settings, Int>, minimum: Int = 0) -> Trait {
        typed(name, keyPath, read: { $0.int($1, $2, minimum: minimum) }, show: { String($0) })
    }

    static func optionalInt(_ name: String, _ keyPath: WritableKeyPath<Settings, Int?>, minimum: Int = 0) -> Trait {
        optional(name, keyPath, read: { $0.int($1, $2, minimum: minimum) }, show: { String($0) })
    }

    static func double(_ name: String, _ keyPath: WritableKeyPath<Settings, Double>, minimum: Double = 0) -> Trait {
        typed(name, keyPath, read: { $0.double($1, $2, minimum: minimum) }, show: ConfigReader.format)
    }

    static func optionalDouble(
        _ name: String, _ keyPath: WritableKeyPath<Settings, Double?>, minimum: Double = 0
    ) -> Trait {
        optional(name, keyPath, read: { $0.double($1, $2, minimum: minimum) }, show: ConfigReader.format)
    }

    static func seconds(_ name: String, _ keyPath: WritableKeyPath<Settings, Duration>) -> Trait {
        typed(name, keyPath, read: { $0.seconds($1, $2) }, show: YAMLText.seconds)
    }

    static func bytes(_ name: String, _ keyPath: WritableKeyPath<Settings, ByteSize?>) -> Trait {
        optional(name, keyPath, read: { $0.byteSize($1, $2) }, show: { String($0.bytes) })
    }

    static func stringList(
        _ name: String, _ keyPath: WritableKeyPath<Settings, [String]>, allowSingle: Bool = false
    ) -> Trait {
        typed(name, keyPath, read: { $0.stringList($1, $2, allowSingle: allowSingle) }, show: YAMLText.list)
    }

    static func stringMap(_ name: String, _ keyPath: WritableKeyPath<Settings, [String: String]>) -> Trait {
        typed(name, keyPath, read: { $0.stringMap($1, $2) }, show: YAMLText.map)
    }

    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, Choice>
    ) -> Trait where Choice.RawValue == String {
        typed(name, keyPath, read: { $0.choice($1, $2) }, show: { YAMLText.scalar($0.rawValue) })
    }

    static func url(_ name: String, _ keyPath: WritableKeyPath<Settings, BindURL>) -> Trait {
        typed(name, keyPath, read: { $0.bindURL($1, $2) }, show: { YAMLText.scalar($0.description) })
    }

    static func optionalURL(_ name: String, _ keyPath: WritableKeyPath<Settings, BindURL?>) -> Trait {
        optional(name, keyPath, read: { $0.bindURL($1, $2) }, show: { YAMLText.scalar($0.description) })
    }

    /// The three spellings of a secret; rendered once, as its placeholder.
    static func secret(_ name: String, _ keyPath: WritableKeyPath<Settings, Secret?>) -> [Trait] {
        ConfigReader.secretTwins(name).map { key in
            Trait(key, group: name, apply: { settings, node, path, reader in
                if reader.isNull(node) {
                    settings[keyPath: keyPath] = nil
                } else if let secret = reader.secret(node, path, key: key, base: name) {
                    settings[keyPath: keyPath] = secret
                }
            }, render: { settings in
                guard key == name else { return nil }
                return settings[keyPath: keyPath].map { YAMLText.scalar($0.description) } ?? "null"
            })
        }
    }
}

extension ConfigReader {
    /// A size such as `3G` or a plain byte count.
    func byteSize(_ node: Node, _ path: String) -> ByteSize? {
        guard case .scalar(let scalar) = node, !isNull(node), let size = ByteSize(parsing: scalar.string) else {
            fail(path, node, "expected a size in bytes such as 512M, 1.5G or 3221225472, got \(kind(of: node))")
            return nil
        }
        return size
    }

    /// One of a fixed set of names, with a suggestion for near misses.
    func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, _ path: String) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(node, path) else { return nil }
        if let value = Choice(rawValue: text) { return value }
        let names = Choice.allCases.map(\.rawValue)
        fail(path, node, "must be one of \(names.joined(separator: ", ")), got \(text)",
             suggestion: NameSuggestion.closest(to: text, in: names))
        return nil
    }

    /// A URL split into scheme, host, port and base path.
    func bindURL(_ node: Node, _ path: String) -> BindURL? {
        guard let text = nonEmptyString(node, path) else { return nil }
        switch BindURL.parse(text) {
        case .success(let url): return url
        case .failure(let problem):
            fail(path, node, problem.reason)
            return nil
        }
    }

    /// Applies every key of a class's mapping through its trait table; unknown keys are errors, never skipped.
    func apply<Settings>(_ traits: [Trait<Settings>], section: String, node: Node, to settings: inout Settings) {
        if isNull(node) { return }
        guard let pairs = mapping(node, section) else { return }
        let byName = Dictionary(traits.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var seenInGroup: [String: String] = [:]
        for pair in pairs {
            let path = "\(section).\(pair.key)"
            guard let trait = byName[pair.key] else {
                if let hint = ReplacedTraits.hint(for: path) {
                    fail(path, pair.keyNode, "unknown trait: \(hint)")
                } else {
                    fail(path, pair.keyNode, "unknown trait",
                         suggestion: NameSuggestion.closest(to: pair.key, in: traits.map(\.name)))
                }
                continue
            }
            if let group = trait.group {
                if let earlier = seenInGroup[group] {
                    fail(path, pair.keyNode, "give only one of \(group), \(group)_env, \(group)_file "
                         + "(\(earlier) is also set)")
                    continue
                }
                seenInGroup[group] = pair.key
            }
            trait.apply(&settings, pair.value, path, self)
        }
    }
}

extension Trait {
    /// The same trait acting on a part of a larger settings value, so subclasses can reuse base-class traits.
    func lifted<Whole>(_ part: WritableKeyPath<Whole, Settings>) -> Trait<Whole> {
        let apply = self.apply
        let render = self.render
        return Trait<Whole>(name, group: group, apply: { whole, node, path, reader in
            apply(&whole[keyPath: part], node, path, reader)
        }, render: { render($0[keyPath: part]) })
    }
}

extension Array {
    /// Lifts every trait in a table onto a larger settings value.
    func lifted<Settings, Whole>(_ part: WritableKeyPath<Whole, Settings>) -> [Trait<Whole>]
    where Element == Trait<Settings> {
        map { $0.lifted(part) }
    }
}
