import HTTPTypes

/// What a handler's fields say about the fields the server manages, found in one pass (cheaper
/// than several `HTTPFields` subscript look-ups, which scan and join on every call).
struct ManagedFields {
    /// The handler's `Content-Length`, when set.
    var contentLength: String?
    var hasDate = false
    var hasContentEncoding = false
    /// `Connection: close` (any case, any position in the list).
    var asksClose = false
    /// Whether any field the writer replaces (framing, persistence) is present.
    var hasReplaceable = false

    init(_ fields: HTTPFields) {
        for field in fields {
            let name = field.name.canonicalName
            // A length check first: most fields are none of these and skip the string compares.
            switch name.utf8.count {
            case 4, 10, 14, 16, 17: break
            default: continue
            }
            switch name {
            case "content-length":
                if contentLength == nil { contentLength = field.value }
                hasReplaceable = true
            case "transfer-encoding", "keep-alive":
                hasReplaceable = true
            case "connection":
                hasReplaceable = true
                if ManagedFields.listContainsClose(field.value) { asksClose = true }
            case "date":
                hasDate = true
            case "content-encoding":
                hasContentEncoding = true
            default:
                break
            }
        }
    }

    /// ASCII case-insensitive search for the `close` token in a comma-separated list.
    static func listContainsClose(_ value: String) -> Bool {
        for token in value.utf8.split(separator: UInt8(ascii: ",")) {
            let trimmed = token.drop(while: { $0 == 0x20 || $0 == 0x09 })
            var letters = trimmed.makeIterator()
            var matched = true
            for expected in "close".utf8 {
                guard let byte = letters.next(), byte | 0x20 == expected else { matched = false; break }
            }
            if matched, letters.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
        }
        return false
    }
}

/// Serialises a response head: status line, the handler's fields (minus those the server
/// replaces), then the server's own fields, in one buffer that the body may follow.
struct ResponseHeadBuilder {
    private(set) var buffer: [UInt8] = []

    init(status: HTTPResponse.Status, capacity: Int) {
        buffer.reserveCapacity(capacity)
        HeadWriter.writeResponseHead(status: status, version: .http1_1, headers: HTTPFields(), into: &buffer)
        buffer.removeLast(2)  // the blank line; fields follow
    }

    /// Appends `fields`; with `replacing`, skips Content-Length, Transfer-Encoding, Connection and Keep-Alive.
    mutating func append(_ fields: HTTPFields, replacing: Bool) {
        for field in fields {
            if replacing {
                let name = field.name.canonicalName
                switch name.utf8.count {
                case 10, 14, 17:
                    switch name {
                    case "content-length", "transfer-encoding", "connection", "keep-alive": continue
                    default: break
                    }
                default: break
                }
            }
            append(field.name.rawName, field.value)
        }
    }

    /// Appends pass-through field lines as they are.
    mutating func append(_ raw: RawFields) { raw.write(into: &buffer) }

    mutating func append(_ name: String, _ value: String) {
        buffer.append(contentsOf: name.utf8)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: value.utf8)
        buffer.append(13)
        buffer.append(10)
    }

    mutating func append(_ name: String, _ value: Int) { append(name, String(value)) }

    /// Ends the head (blank line); `body` bytes, if given, follow in the same buffer.
    mutating func finish(appending body: [UInt8] = []) -> [UInt8] {
        buffer.append(13)
        buffer.append(10)
        if !body.isEmpty { buffer.append(contentsOf: body) }
        return buffer
    }
}
