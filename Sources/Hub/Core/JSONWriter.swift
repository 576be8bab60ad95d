// Hand-written JSON output for responses. Models are written field by field into one byte buffer:
// listing 200 users is on the hot path, and JSONEncoder's reflection costs several times more.
import Store

/// Appends JSON tokens to a byte buffer, inserting commas itself.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether the next value or key needs a comma before it.
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// The output as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// Starts an object (`{`).
    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    /// Ends an object (`}`).
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    /// Starts an array (`[`).
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    /// Ends an array (`]`).
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// Writes a member name; the next call writes its value.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes a string value.
    public mutating func string(_ value: String) { separate(); appendQuoted(value); needsComma = true }
    /// Writes a string value or `null`.
    public mutating func string(_ value: String?) { if let value { string(value) } else { null() } }
    /// Writes `true`/`false`.
    public mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }
    /// Writes an integer.
    public mutating func int<T: BinaryInteger>(_ value: T) { raw(String(value)) }
    /// Writes a finite number (non-finite values become `null`, which JSON cannot express otherwise).
    public mutating func double(_ value: Double) { value.isFinite ? raw(String(value)) : null() }
    /// Writes `null`.
    public mutating func null() { raw("null") }
    /// Writes a timestamp as JupyterHub does (`2026-11-24T19:26:45.072605Z`), or `null`.
    public mutating func timestamp(_ value: Timestamp?) {
        guard let value else { null(); return }
        separate()
        bytes.append(UInt8(ascii: "\""))
        ISOTimestamp.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }
    /// Writes an array of strings.
    public mutating func strings(_ values: some Sequence<String>) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// Writes a `JSONValue` (object members sorted by name, so output is stable).
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for name in members.keys.sorted() {
                key(name)
                self.value(members[name] ?? .null)
            }
            endObject()
        }
    }

    /// Writes already-serialised JSON text verbatim (it must be one valid value).
    public mutating func rawJSON(_ text: String) { raw(text) }

    /// Writes already-serialised JSON bytes verbatim (one valid value, e.g. from another writer).
    public mutating func rawJSON(_ encoded: [UInt8]) {
        separate()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    private mutating func raw(_ text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(0x5C); bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Names, URLs and scopes almost never need escaping: copy them in one go (without `withUTF8`,
        // which is mutating and made every listing pay a uniqueness check and a copy of the string).
        let copied = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: Self.needsEscape) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        } ?? false
        if !copied { appendEscaped(text) }
        bytes.append(UInt8(ascii: "\""))
    }
}
