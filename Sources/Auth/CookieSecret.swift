// The hub's cookie secret: 32 random bytes kept as 64 hex characters in `cookie_secret_file`
// (JupyterHub's format, so an existing file carries over). A file others can read would let them
// forge logins, so one with any world permission bit is refused, as JupyterHub does.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the cookie secret could not be loaded or created.
public enum CookieSecretError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooShort(bytes: Int)
    case notHex(path: String)
    case worldAccessible(path: String, mode: UInt32)
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .tooShort(let n): return "cookie secret must be at least 32 bytes, got \(n)"
        case .notHex(let path): return "\(path): cookie secret must be hex (create one with: openssl rand -hex 32 > \(path))"
        case .worldAccessible(let path, let mode):
            return "\(path): cookie secret file can be read or written by anybody (mode \(String(mode, radix: 8))); run chmod 600 \(path)"
        case .io(let path, let op, let code): return "\(path): \(op) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// The HMAC key for login cookies and XSRF tokens.
public struct CookieSecret: Sendable {
    /// The raw key bytes (never logged).
    public let bytes: [UInt8]

    /// Wraps raw key bytes; at least 32 are required.
    public init(bytes: [UInt8]) throws(CookieSecretError) {
        guard bytes.count >= 32 else { throw .tooShort(bytes: bytes.count) }
        self.bytes = bytes
    }

    /// Parses hex text (as in the file or `JPY_COOKIE_SECRET`); surrounding whitespace is ignored.
    public init(hex text: String, source: String) throws(CookieSecretError) {
        let trimmed = String(Substring(text).trimmingWhitespace())
        guard let bytes = Hex.decode(trimmed), !bytes.isEmpty else { throw .notHex(path: source) }
        try self.init(bytes: bytes)
    }

    /// A fresh random 32-byte secret.
    public static func generate() throws -> CookieSecret {
        try CookieSecret(bytes: Crypto.randomBytes(32))
    }

    /// Loads the secret from `path`, or creates it (mode 0600, 64 hex + newline) if the file does not exist.
    public static func loadOrCreate(path: String) throws -> CookieSecret {
        let existing = open(path, O_RDONLY | O_CLOEXEC)
        if existing >= 0 { return try load(fd: existing, path: path) }
        let openErrno = errno
        guard openErrno == ENOENT else { throw CookieSecretError.io(path: path, operation: "open", errno: openErrno) }
        let secret = try generate()
        // O_EXCL: if another process created the file meanwhile, use theirs rather than overwrite it.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            let code = errno
            if code == EEXIST {
                let raced = open(path, O_RDONLY | O_CLOEXEC)
                if raced >= 0 { return try load(fd: raced, path: path) }
            }
            throw CookieSecretError.io(path: path, operation: "create", errno: code)
        }
        defer { close(fd) }
        // The umask may have narrowed 0600 further, never widened it; set it exactly anyway.
        guard fchmod(fd, 0o600) == 0 else { throw CookieSecretError.io(path: path, operation: "chmod", errno: errno) }
        let text = Array((Hex.encode(secret.bytes) + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count else { throw CookieSecretError.io(path: path, operation: "write", errno: errno) }
        guard fsync(fd) == 0 else { throw CookieSecretError.io(path: path, operation: "fsync", errno: errno) }
        return secret
    }

    /// Reads the secret from an open descriptor, checking the permissions of what was actually opened.
    private static func load(fd: Int32, path: String) throws -> CookieSecret {
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CookieSecretError.io(path: path, operation: "stat", errno: errno) }
        let mode = UInt32(info.st_mode)
        if mode & 0o007 != 0 { throw CookieSecretError.worldAccessible(path: path, mode: mode & 0o777) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CookieSecretError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            data += buffer[..<n]
            guard data.count <= 64 * 1024 else { throw CookieSecretError.notHex(path: path) }
        }
        return try CookieSecret(hex: String(decoding: data, as: UTF8.self), source: path)
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}
