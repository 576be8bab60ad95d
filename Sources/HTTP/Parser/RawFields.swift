import Glibc
import HTTPTypes

/// Header field lines kept as wire bytes, in order, each normalised to `Name: value\r\n` (the
/// sender's name case, surrounding whitespace trimmed) and validated on the way in.
///
/// Why: a proxy passes most fields through untouched. Building `HTTPFields` for them (a String per
/// field, HTTPTypes validating every value again, then serialising it all back) was about a fifth
/// of the instructions of a proxied request. With `RawFields` the upstream's fields go from the
/// parser to the client as one copy; `fields` builds `HTTPFields` for callers that want to look.
public struct RawFields: Sendable {
    /// The lines, back to back, each ending in CRLF (including any in `skips`).
    private(set) var storage: [UInt8] = []
    /// Number of lines (not counting skipped ones).
    public private(set) var count: Int {
        get { Int(lineCount) }
        set { lineCount = UInt32(newValue) }
    }
    /// Stored narrow (with the other small counters below): heads holding this are copied by value.
    private var lineCount: UInt32 = 0
    /// What kinds of fields are present, found while appending (see `Kind`).
    private var kinds: Kind = []
    /// How many lines `droppable` holds (see below); next to `kinds` so the struct packs into 32 bytes.
    private var droppedLines: UInt8 = 0
    /// Byte ranges of `storage` left out: `forwardable()` drops a few lines without copying the
    /// rest (and without allocating: the list is inline).
    private var skips = SkipList()
    /// The lines `forwardable()` drops (connection-specific ones, Content-Length), noted while
    /// appending so that forwarding does not classify every line again; `droppedLines` counts
    /// them, `.max` when they did not fit the inline list (forwarding then looks at every line).
    private var droppable = SkipList()

    /// The lines as they go on the wire.
    public var bytes: [UInt8] {
        if skips.isEmpty { return storage }
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    /// Number of bytes `write(into:)` appends at most.
    var byteCount: Int { storage.count }

    /// Appends the lines to `buffer` (skipped lines left out), a few copies at most.
    func write(into buffer: inout [UInt8]) {
        if skips.isEmpty {
            buffer.append(contentsOf: storage)
            return
        }
        storage.withUnsafeBufferPointer { all in
            var start = 0
            for index in 0..<skips.count {
                let skip = skips[index]
                if skip.lowerBound > start { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: all[start..<skip.lowerBound])) }
                start = skip.upperBound
            }
            if start < all.count { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: all[start...])) }
        }
    }

    /// Field kinds a server or proxy treats specially.
    struct Kind: OptionSet, Sendable {
        let rawValue: UInt8
        /// Connection-specific (RFC 9110 §7.6.1): Connection, Keep-Alive, Proxy-*, TE, Trailer,
        /// Transfer-Encoding, Upgrade.
        static let hopByHop = Kind(rawValue: 1)
        static let contentLength = Kind(rawValue: 2)
        static let date = Kind(rawValue: 4)
        static let contentEncoding = Kind(rawValue: 8)
        /// A Connection field naming something besides close / keep-alive / upgrade.
        static let connectionNamesFields = Kind(rawValue: 16)
    }

    public init() {}

    /// The lines of `fields` (HTTPTypes has validated them), in order.
    public init(_ fields: HTTPFields) {
        for field in fields { append(field) }
    }

    public var isEmpty: Bool { count == 0 }
    /// A `Date` field is present.
    public var hasDate: Bool { kinds.contains(.date) }
    /// A `Content-Encoding` field is present.
    public var hasContentEncoding: Bool { kinds.contains(.contentEncoding) }

    /// Reserves room for `byteCount` bytes of lines.
    public mutating func reserveCapacity(_ byteCount: Int) { storage.reserveCapacity(byteCount) }

    /// Appends a line from bytes the caller has validated: `name` a token, `value` field content
    /// without surrounding whitespace.
    mutating func appendValidated(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        appendValidated(name: name, value: value, known: KnownField(name))
    }

    /// As `appendValidated(name:value:)`, with the name already classified (the parser's one look).
    mutating func appendValidated(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, known: KnownField) {
        if !skips.isEmpty { materialize() }
        let start = storage.count
        appendLine(name: name, value: value)
        note(known, value: value, line: start..<storage.count)
    }

    /// Counts a line already in `storage` at `line` and notes what it is.
    ///
    /// Also the parser's fast path for lines already in normal form (`Name: value\r\n`, validated):
    /// each line is noted where it lies in the block, then the block is taken with one copy
    /// (`adoptNormalised`). It starts from empty fields; a parser that finds a line not in normal form
    /// starts over with `RawFields()` and appends line by line.
    mutating func note(_ known: KnownField, value: UnsafeRawBufferPointer, line: Range<Int>) {
        count += 1
        if known == .other { return }
        let kind = Self.kind(of: known)
        kinds.insert(kind)
        if kind.contains(.hopByHop) || kind.contains(.contentLength) { noteDroppable(line) }
        if known == .connection, Self.namesFields(value) { kinds.insert(.connectionNamesFields) }
    }

    /// Takes the block of lines noted with `note` (see there).
    mutating func adoptNormalised(_ block: UnsafeRawBufferPointer) {
        precondition(storage.isEmpty && skips.isEmpty, "adoptNormalised starts from empty fields")
        storage = Array(block)
    }

    private mutating func noteDroppable(_ line: Range<Int>) {
        guard droppedLines < .max - 1, droppable.append(line) else {
            droppedLines = .max
            return
        }
        droppedLines += 1
    }

    /// Writes `name: value\r\n` with one append (each `Array.append` call has a fixed cost that
    /// dominated when the line was appended piece by piece).
    private mutating func appendLine(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let length = name.count + value.count + 4
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { line in
            let base = UnsafeMutableRawPointer(line.baseAddress!)
            if let source = name.baseAddress { base.copyMemory(from: source, byteCount: name.count) }
            base.storeBytes(of: HTTPSyntax.colon, toByteOffset: name.count, as: UInt8.self)
            base.storeBytes(of: HTTPSyntax.sp, toByteOffset: name.count + 1, as: UInt8.self)
            if let source = value.baseAddress { (base + name.count + 2).copyMemory(from: source, byteCount: value.count) }
            base.storeBytes(of: HTTPSyntax.cr, toByteOffset: length - 2, as: UInt8.self)
            base.storeBytes(of: HTTPSyntax.lf, toByteOffset: length - 1, as: UInt8.self)
            storage.append(contentsOf: UnsafeBufferPointer(line))
        }
    }

    /// Copies the kept lines into fresh storage, so appending after `forwardable()` stays simple.
    /// Only `forwardable()` skips lines, and it skips every droppable one: none is left to note.
    private mutating func materialize() {
        var out: [UInt8] = []
        out.reserveCapacity(storage.count)
        write(into: &out)
        storage = out
        skips = SkipList()
        droppable = SkipList()
        droppedLines = 0
    }

    /// Appends `field` (HTTPTypes has validated it).
    public mutating func append(_ field: HTTPField) {
        var name = field.name.rawName
        name.withUTF8 { name in
            field.withUnsafeBytesOfValue { value in appendValidated(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value)) }
        }
    }

    /// Appends `name: value`. Bytes a field value may not hold (CR, LF, NUL, other controls) become
    /// spaces, as HTTPTypes does, so no caller can split a line.
    public mutating func append(_ name: HTTPField.Name, _ value: String) {
        var rawName = name.rawName
        rawName.withUTF8 { appendSanitised(name: UnsafeRawBufferPointer($0), value: value) }
    }

    /// As `append(_:_:)`, for a name written in the code (a token): no String for the name.
    public mutating func append(_ name: StaticString, _ value: String) {
        let nameBytes = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        assert(HTTPSyntax.isToken(nameBytes), "\(name) is not a field name")
        appendSanitised(name: nameBytes, value: value)
    }

    /// Appends a line for a valid `name` and any `value`, its illegal bytes made spaces.
    private mutating func appendSanitised(name: UnsafeRawBufferPointer, value: String) {
        var value = value
        if !value.withUTF8({ HTTPSyntax.scanFieldValue(UnsafeRawBufferPointer($0)).valid }) {
            value = String(decoding: value.utf8.map { HTTPSyntax.isFieldValueByte($0) ? $0 : HTTPSyntax.sp }, as: UTF8.self)
        }
        value.withUTF8 { appendValidated(name: name, value: HTTPSyntax.trimmingOWS(UnsafeRawBufferPointer($0))) }
    }

    /// Calls `body` with each field's name and value bytes, in order.
    public func forEach(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void) rethrows {
        try storage.withUnsafeBytes { all in
            guard let base = all.baseAddress else { return }
            var start = 0
            var nextSkip = 0
            while start < all.count {
                if nextSkip < skips.count && skips[nextSkip].lowerBound == start {
                    start = skips[nextSkip].upperBound
                    nextSkip += 1
                    continue
                }
                // Lines were normalised on the way in: `name: value\r\n`, the first colon ends the name.
                let colon = UnsafeRawPointer(memchr(base + start, Int32(HTTPSyntax.colon), all.count - start)!) - base
                let lf = UnsafeRawPointer(memchr(base + colon, Int32(HTTPSyntax.lf), all.count - colon)!) - base
                try body(UnsafeRawBufferPointer(start: base + start, count: colon - start),
                         UnsafeRawBufferPointer(start: base + colon + 2, count: lf - 1 - (colon + 2)))
                start = lf + 1
            }
        }
    }

    /// The fields as `HTTPFields` (built on every call: keep the result when asking more than once).
    public var fields: HTTPFields {
        var out = HTTPFields()
        out.reserveCapacity(count)
        forEach { name, value in
            guard let fieldName = KnownFieldNames.name(for: name) ?? HTTPField.Name(String(decoding: name, as: UTF8.self)) else {
                return
            }
            if value.allSatisfy({ $0 < 0x80 }) {
                out.append(HTTPField(name: fieldName, value: String(decoding: value, as: UTF8.self)))
            } else {
                // obs-text: as the field parser does, HTTPTypes keeps the raw bytes.
                out.append(HTTPField(name: fieldName, value: value))
            }
        }
        return out
    }

    /// What `fields[name]` would return (several fields joined by ", ", or "; " for Cookie), read
    /// from the lines without building `HTTPFields`.
    public func value(_ name: HTTPField.Name) -> String? {
        var result: String? = nil
        forEachValue(of: name) { value in
            let text = HTTPSyntax.string(value)
            result = result.map { $0 + name.combiningSeparator + text } ?? text
        }
        return result
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: HTTPField.Name) -> Bool {
        var found = false
        forEachValue(of: name) { _ in found = true }
        return found
    }

    /// Calls `body` with the value of each line named `name` (ASCII case-insensitive), in order.
    private func forEachValue(of name: HTTPField.Name, _ body: (UnsafeRawBufferPointer) -> Void) {
        var canonical = name.canonicalName  // lower case
        canonical.withUTF8 { wanted in
            forEach { lineName, value in
                if HTTPSyntax.equalsLowercased(lineName, UnsafeRawBufferPointer(wanted)) { body(value) }
            }
        }
    }

    /// What a proxy sends on of a client's request fields (RFC 9110 §7.6.1): the lines as received,
    /// without connection-specific ones and those Connection names (Upgrade kept when `keepUpgrade`);
    /// Content-Length lines are replaced, at the first one's place, by `contentLength` when given.
    /// Also returns the first Host value, whether any X-Forwarded-* field was sent, and whether
    /// `contentLength` was written.
    public func forwardableRequest(keepUpgrade: Bool, contentLength: Int?)
        -> (fields: RawFields, host: String?, hasForwardedFields: Bool, wroteContentLength: Bool)
    {
        let named = kinds.contains(.connectionNamesFields) ? connectionNamedFields() : []
        var out = RawFields()
        out.reserveCapacity(storage.count + 128)
        var host: String? = nil
        var hasForwarded = false
        var wroteLength = false
        forEach { name, value in
            let known = KnownField(name)
            if Self.kind(of: known).contains(.hopByHop) || Self.isNamed(name, in: named) {
                if keepUpgrade, known == .upgrade { out.appendValidated(name: name, value: value, known: known) }
                return
            }
            switch known {
            case .host:
                if host == nil { host = HTTPSyntax.string(value) }
            case .contentLength:
                if let contentLength, !wroteLength {
                    out.append("Content-Length", String(contentLength))
                    wroteLength = true
                }
                return
            case .other:
                if !hasForwarded, name.count >= 15, HTTPSyntax.equalsLowercased(UnsafeRawBufferPointer(rebasing: name[0..<12]), "x-forwarded-") {
                    hasForwarded = true
                }
            default:
                break
            }
            out.appendValidated(name: name, value: value, known: known)
        }
        return (out, host, hasForwarded, wroteLength)
    }

    /// The first value of the field named `lowercaseName` (ASCII case-insensitive), if any.
    public func firstValue(_ lowercaseName: StaticString) -> String? {
        var found: String?
        forEach { name, value in
            if found == nil, HTTPSyntax.equalsLowercased(name, lowercaseName) { found = HTTPSyntax.string(value) }
        }
        return found
    }

    /// The fields a proxy passes on in a response (RFC 9110 §7.6.1): without the connection-specific
    /// ones, the fields the Connection field names, and Content-Length (the sending server frames
    /// the body itself). Without any of those, the same bytes are returned, uncopied.
    public func forwardable() -> RawFields {
        if !kinds.contains(.hopByHop) && !kinds.contains(.contentLength) { return self }
        if !kinds.contains(.connectionNamesFields) && droppedLines != .max && skips.isEmpty {
            // The usual case: the lines to drop were noted as they came in.
            var out = self
            out.skips = droppable
            out.count = count - Int(droppedLines)
            out.kinds = kinds.intersection([.date, .contentEncoding])
            out.droppable = SkipList()
            out.droppedLines = 0
            return out
        }
        let named = kinds.contains(.connectionNamesFields) ? connectionNamedFields() : []
        var dropped = SkipList()
        var overflow = false
        var keptKinds: Kind = []
        var keptCount = 0
        storage.withUnsafeBytes { all in
            forEach { name, value in
                let start = name.baseAddress! - all.baseAddress!
                let end = start + name.count + 2 + value.count + 2
                let kind = Self.kind(of: KnownField(name))
                if Self.dropsFromResponse(name, kind, named: named) {
                    if !dropped.append(start..<end) { overflow = true }
                } else {
                    keptCount += 1
                    keptKinds.formUnion(kind)
                }
            }
        }
        var out = self
        out.count = keptCount
        out.kinds = keptKinds
        out.droppable = SkipList()
        out.droppedLines = 0
        if overflow {
            // More dropped runs than the inline list holds (rare): copy the kept lines instead.
            var copy = RawFields()
            copy.reserveCapacity(storage.count)
            forEach { name, value in
                let known = KnownField(name)
                if Self.dropsFromResponse(name, Self.kind(of: known), named: named) { return }
                copy.appendValidated(name: name, value: value, known: known)
            }
            return copy
        }
        out.skips = dropped
        return out
    }

    /// Lower-cased names listed in Connection fields, other than close / keep-alive / upgrade.
    private func connectionNamedFields() -> [[UInt8]] {
        var names: [[UInt8]] = []
        forEach { name, value in
            guard HTTPSyntax.equalsLowercased(name, "connection") else { return }
            HTTPSyntax.forEachListElement(value) { token in
                guard !token.isEmpty, !Self.isPlainConnectionOption(token) else { return }
                names.append(token.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
            }
        }
        return names
    }

    /// Whether `forwardable()` leaves a response line out: connection-specific, Content-Length, or named
    /// by a Connection field (`named`, from `connectionNamedFields()`).
    private static func dropsFromResponse(_ name: UnsafeRawBufferPointer, _ kind: Kind, named: [[UInt8]]) -> Bool {
        kind.contains(.hopByHop) || kind.contains(.contentLength) || isNamed(name, in: named)
    }

    private static func isNamed(_ name: UnsafeRawBufferPointer, in named: [[UInt8]]) -> Bool {
        !named.isEmpty && named.contains { lowercase in lowercase.withUnsafeBytes { HTTPSyntax.equalsLowercased(name, $0) } }
    }

    private static func isPlainConnectionOption(_ token: UnsafeRawBufferPointer) -> Bool {
        HTTPSyntax.equalsLowercased(token, "close") || HTTPSyntax.equalsLowercased(token, "keep-alive")
            || HTTPSyntax.equalsLowercased(token, "upgrade")
    }

    private static func namesFields(_ value: UnsafeRawBufferPointer) -> Bool {
        var names = false
        HTTPSyntax.forEachListElement(value) { token in
            if !token.isEmpty && !isPlainConnectionOption(token) { names = true }
        }
        return names
    }

    /// The kinds of a classified field name.
    static func kind(of known: KnownField) -> Kind {
        switch known {
        case .connection, .keepAlive, .upgrade, .te, .trailer, .transferEncoding, .proxyConnection,
             .proxyAuthenticate, .proxyAuthorization:
            return .hopByHop
        case .contentLength: return .contentLength
        case .date: return .date
        case .contentEncoding: return .contentEncoding
        case .other, .host, .expect: return []
        }
    }
}

/// Field names the engine treats specially, recognised once per field line (length first, then
/// one case-insensitive compare), so framing and pass-through decisions share a single look.
enum KnownField: UInt8, Sendable {
    case other, host, expect, upgrade, connection, keepAlive, contentLength, transferEncoding
    case te, trailer, proxyConnection, proxyAuthenticate, proxyAuthorization, date, contentEncoding

    init(_ name: UnsafeRawBufferPointer) {
        @inline(__always) func eq(_ lowercase: StaticString) -> Bool { HTTPSyntax.equalsLowercased(name, lowercase) }
        switch name.count {
        case 2: self = eq("te") ? .te : .other
        case 4:
            switch name[0] | 0x20 {
            case UInt8(ascii: "h"): self = eq("host") ? .host : .other
            case UInt8(ascii: "d"): self = eq("date") ? .date : .other
            default: self = .other
            }
        case 6: self = eq("expect") ? .expect : .other
        case 7:
            switch name[0] | 0x20 {
            case UInt8(ascii: "u"): self = eq("upgrade") ? .upgrade : .other
            case UInt8(ascii: "t"): self = eq("trailer") ? .trailer : .other
            default: self = .other
            }
        case 10:
            switch name[0] | 0x20 {
            case UInt8(ascii: "c"): self = eq("connection") ? .connection : .other
            case UInt8(ascii: "k"): self = eq("keep-alive") ? .keepAlive : .other
            default: self = .other
            }
        case 14: self = name[0] | 0x20 == UInt8(ascii: "c") && eq("content-length") ? .contentLength : .other
        case 16:
            switch name[0] | 0x20 {
            case UInt8(ascii: "c"): self = eq("content-encoding") ? .contentEncoding : .other
            case UInt8(ascii: "p"): self = eq("proxy-connection") ? .proxyConnection : .other
            default: self = .other
            }
        case 17: self = name[0] | 0x20 == UInt8(ascii: "t") && eq("transfer-encoding") ? .transferEncoding : .other
        case 18: self = eq("proxy-authenticate") ? .proxyAuthenticate : .other
        case 19: self = eq("proxy-authorization") ? .proxyAuthorization : .other
        default: self = .other
        }
    }
}

/// Up to two sorted byte ranges below 64 KiB packed in one word, so RawFields stays small (heads
/// and events holding it are copied by value; a larger inline list made every copy a memcpy).
/// Adjacent ranges merge; an empty slot has upper bound 0.
struct SkipList: Sendable {
    private var packed: UInt64 = 0

    var count: Int { (packed & 0xFFFF_0000 != 0 ? 1 : 0) + (packed >> 48 != 0 ? 1 : 0) }
    var isEmpty: Bool { packed == 0 }

    subscript(index: Int) -> Range<Int> {
        let slot = index == 0 ? packed & 0xFFFF_FFFF : packed >> 32
        return Int(slot & 0xFFFF)..<Int(slot >> 16)
    }

    /// Adds `range` (after every range already held); false when it does not fit.
    mutating func append(_ range: Range<Int>) -> Bool {
        guard range.upperBound <= 0xFFFF, !range.isEmpty else { return false }
        let held = count
        if held > 0, self[held - 1].upperBound == range.lowerBound {
            set(held - 1, self[held - 1].lowerBound..<range.upperBound)  // adjacent: extend the last range
            return true
        }
        guard held < 2 else { return false }
        set(held, range)
        return true
    }

    private mutating func set(_ index: Int, _ range: Range<Int>) {
        let slot = UInt64(range.lowerBound) | UInt64(range.upperBound) << 16
        packed = index == 0 ? (packed & ~0xFFFF_FFFF) | slot : (packed & 0xFFFF_FFFF) | slot << 32
    }
}
