import HTTPTypes

/// Values captured by `{name}` segments of a route pattern, percent-decoded.
public struct PathParameters: Sendable, Equatable {
    private var values: [(name: String, value: String)] = []
    public init() {}
    public subscript(_ name: String) -> String? { values.first { $0.name == name }?.value }
    @usableFromInline mutating func append(_ name: String, _ value: String) { values.append((name, value)) }
    @usableFromInline mutating func removeLast() { values.removeLast() }
    public static func == (a: PathParameters, b: PathParameters) -> Bool {
        a.values.elementsEqual(b.values) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Maps (method, path) to a handler value. Patterns are `/`-separated: literal segments, `{name}` for one
/// segment, and a final `{name...}` for the rest of the path. Literals win over parameters. The raw path is
/// split on `/` before decoding, so `%2F` inside a name stays part of that segment (JupyterHub escapes
/// names that way). One trailing slash is ignored, as JupyterHub's handlers accept both forms.
/// Build it once at start-up, then share it: nodes are reference types, so copies share routes.
public struct Router<Handler: Sendable>: Sendable {
    /// The outcome of a lookup; `methodNotAllowed` lists what the path does accept (for `Allow`).
    public enum Match: Sendable {
        case found(Handler, PathParameters)
        case methodNotAllowed(allowed: [HTTPRequest.Method])
        case notFound
    }

    // Internal but inlinable: `match` is specialised for the handler type in the module that uses
    // the router (unspecialised, each lookup went through generic metadata: ~4,900 instructions).
    @usableFromInline final class Node: @unchecked Sendable {
        @usableFromInline var literals: [String: Node] = [:]
        @usableFromInline var parameter: (name: String, node: Node)?
        @usableFromInline var rest: (name: String, handlers: [HTTPRequest.Method: Handler])?
        @usableFromInline var handlers: [HTTPRequest.Method: Handler] = [:]
        @usableFromInline init() {}
    }

    @usableFromInline let root = Node()

    public init() {}

    /// Registers `handler` for `method` on `pattern`. A later registration of the same pair replaces it.
    public mutating func add(_ method: HTTPRequest.Method, _ pattern: String, _ handler: Handler) {
        var node = root
        let segments = Self.segments(of: pattern[...])
        for (index, segment) in segments.enumerated() {
            if segment.hasPrefix("{") && segment.hasSuffix("...}") {
                precondition(index == segments.count - 1, "a {rest...} segment must come last: \(pattern)")
                let name = String(segment.dropFirst().dropLast(4))
                var handlers = node.rest?.handlers ?? [:]
                handlers[method] = handler
                node.rest = (name, handlers)
                return
            }
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if let existing = node.parameter {
                    precondition(existing.name == name, "conflicting parameter names at \(pattern)")
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameter = (name, child)
                    node = child
                }
            } else {
                let key = String(segment)
                if let child = node.literals[key] { node = child } else {
                    let child = Node()
                    node.literals[key] = child
                    node = child
                }
            }
        }
        node.handlers[method] = handler
    }

    /// Finds the handler for a raw (still percent-encoded) path. A malformed escape in a segment that
    /// would be captured makes the path not found rather than matched with a guessed value.
    @inlinable
    public func match(_ method: HTTPRequest.Method, path: Substring) -> Match {
        let segments = Self.segments(of: path)
        var parameters = PathParameters()
        guard let handlers = Self.find(root, segments[...], &parameters) else { return .notFound }
        if let handler = handlers[method] { return .found(handler, parameters) }
        if method == .head, let handler = handlers[.get] { return .found(handler, parameters) }
        return .methodNotAllowed(allowed: handlers.keys.sorted { $0.rawValue < $1.rawValue })
    }

    @inlinable
    static func find(_ node: Node, _ segments: ArraySlice<Substring>, _ parameters: inout PathParameters)
        -> [HTTPRequest.Method: Handler]?
    {
        guard let segment = segments.first else {
            if !node.handlers.isEmpty { return node.handlers }
            if let rest = node.rest { parameters.append(rest.name, ""); return rest.handlers }
            return nil
        }
        let remaining = segments.dropFirst()
        if let decoded = PercentEncoding.decode(segment) {
            if let child = node.literals[decoded], let found = find(child, remaining, &parameters) {
                return found
            }
            if let parameter = node.parameter {
                parameters.append(parameter.name, decoded)
                if let found = find(parameter.node, remaining, &parameters) { return found }
                parameters.removeLast()
            }
        }
        if let rest = node.rest {
            let raw = segments.joined(separator: "/")
            guard let decoded = PercentEncoding.decode(raw) else { return nil }
            parameters.append(rest.name, decoded)
            return rest.handlers
        }
        return nil
    }

    /// Splits a path into segments, dropping the leading `/` and one trailing `/`.
    /// By UTF-8 bytes: `/` is ASCII, so byte positions are valid `Substring` bounds, and splitting
    /// `Character`s would run grapheme breaking over every byte of every request path.
    @inlinable
    static func segments(of path: Substring) -> [Substring] {
        let bytes = path.utf8
        var start = bytes.startIndex, end = bytes.endIndex
        let slash = UInt8(ascii: "/")
        if start < end, bytes[start] == slash { start = bytes.index(after: start) }
        if start < end, bytes[bytes.index(before: end)] == slash { end = bytes.index(before: end) }
        if start == end { return [] }
        var segments: [Substring] = []
        segments.reserveCapacity(6)
        var segmentStart = start
        var i = start
        while i < end {
            if bytes[i] == slash {
                segments.append(path[segmentStart..<i])
                segmentStart = bytes.index(after: i)
            }
            i = bytes.index(after: i)
        }
        segments.append(path[segmentStart..<end])
        return segments
    }
}
