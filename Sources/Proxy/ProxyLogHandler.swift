// CHP's log line format, `<ISO time> [ConfigProxy] <level>: <message>`, on stderr, so log
// scrapers and admins' greps written for configurable-http-proxy keep working.
import Glibc
import HTTP
import Logging

/// A swift-log handler writing CHP-style lines to stderr.
public struct ProxyLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let lock = ProxyLogHandler.writeLock

    private static let writeLock = StderrLock()

    public init(level: Logger.Level) { self.logLevel = level }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level: String
        switch event.level {
        case .trace, .debug: level = "debug"
        case .info, .notice: level = "info"
        case .warning: level = "warn"
        case .error, .critical: level = "error"
        }
        var line = "\(Timestamp.now()) [ConfigProxy] \(level): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if !merged.isEmpty {
            line += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        line += "\n"
        lock.write(line)
    }
}

/// Serialises whole lines so concurrent event loops never interleave them.
final class StderrLock: Sendable {
    private let lock = PThreadLock()
    func write(_ line: String) {
        let bytes = Array(line.utf8)
        lock.withLock {
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.write(2, base + offset, buffer.count - offset)
                    if n < 0, errno == EINTR { continue }
                    if n <= 0 { return }
                    offset += n
                }
            }
        }
    }
}
