import Glibc

/// Bytes received but not yet consumed by a parser.
///
/// Offsets handed out are relative to the first unread byte, so compaction (which moves bytes to the
/// front) never invalidates a scan position a parser remembers between feeds.
struct ParseBuffer: Sendable {
    private var storage: [UInt8] = []
    private var readIndex = 0

    /// Unread bytes.
    var count: Int { storage.count - readIndex }
    var isEmpty: Bool { readIndex == storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        compact()
        storage.append(contentsOf: UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if isEmpty && storage.capacity < bytes.count {
            // Adopting the caller's array avoids a copy when nothing is pending (the common case).
            storage = bytes
            readIndex = 0
            return
        }
        compact()
        storage.append(contentsOf: bytes)
    }

    /// Bytes of storage currently held (tests check idle connections stay small).
    var capacity: Int { storage.capacity }

    /// Drops consumed bytes when that is cheap relative to what was consumed (amortised O(1) per byte).
    private mutating func compact() {
        if readIndex == storage.count {
            releaseConsumed()
        } else if readIndex >= 4096 && readIndex * 2 >= storage.count {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// Marks `n` unread bytes as consumed.
    mutating func consume(_ n: Int) {
        precondition(n >= 0 && n <= count, "consume past the buffered bytes")
        readIndex += n
        if readIndex == storage.count { releaseConsumed() }
    }

    /// Empties the storage; a large one is freed, since thousands of idle keep-alive connections
    /// each holding a big read buffer would cost far more than reallocating for the next burst.
    private mutating func releaseConsumed() {
        if storage.capacity > 4096 {
            storage = []
        } else {
            storage.removeAll(keepingCapacity: true)
        }
        readIndex = 0
    }

    /// Copies out and consumes the next `n` unread bytes.
    mutating func take(_ n: Int) -> [UInt8] {
        precondition(n >= 0 && n <= count, "take past the buffered bytes")
        if n == 0 { return [] }  // keeps the storage for the next message (no allocation per exchange)
        if readIndex == 0 && n == storage.count {
            // Hand over the whole storage instead of copying it.
            var whole: [UInt8] = []
            swap(&whole, &storage)
            return whole
        }
        let out = Array(storage[readIndex..<(readIndex + n)])
        consume(n)
        return out
    }

    /// Copies out and consumes everything unread.
    mutating func takeAll() -> [UInt8] { take(count) }

    /// The unread byte at `offset`.
    subscript(offset: Int) -> UInt8 { storage[readIndex + offset] }

    /// Offset of the first `byte` at or after `from`, or nil.
    func firstIndex(of byte: UInt8, from: Int) -> Int? {
        let length = count - from
        guard length > 0 else { return nil }
        return storage.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            let start = base + readIndex + from
            guard let hit = memchr(start, Int32(byte), length) else { return nil }
            return from + (UnsafeRawPointer(hit) - start)
        }
    }

    /// Runs `body` over the unread bytes `[from, to)`.
    func withBytes<R>(from: Int, to: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(from >= 0 && from <= to && to <= count, "range outside the buffered bytes")
        return storage.withUnsafeBytes { raw in
            body(UnsafeRawBufferPointer(rebasing: raw[(readIndex + from)..<(readIndex + to)]))
        }
    }
}
