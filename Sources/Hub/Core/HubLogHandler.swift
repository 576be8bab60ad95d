// Log lines shaped like JupyterHub's (`[I 2026-11-25 11:28:33.123 PawsHub] message key=value`), so
// admins' grep habits and log dashboards carry over. One write per line to stderr.
import CivilTime
import Foundation
import Logging
import Synchronization

/// A swift-log handler printing JupyterHub-style lines to standard error.
public struct HubLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private static let output = Mutex(())

    /// A handler for `label` at `level`.
    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The swift-log level for a JupyterHub `log_level` name.
    public static func level(for configured: LogLevel) -> Logger.Level {
        switch configured {
        case .debug: return .debug
        case .info: return .info
        case .warning, .warn: return .warning
        case .error: return .error
        case .critical: return .critical
        }
    }

    /// Built as bytes, not by string interpolation: the access log writes one line per request.
    public func log(event: LogEvent) {
        let level = event.level, explicit = event.metadata
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160)
        bytes.append(UInt8(ascii: "["))
        bytes.append(contentsOf: Self.letter(level).utf8)
        bytes.append(UInt8(ascii: " "))
        Self.appendTimestamp(to: &bytes)
        bytes.append(contentsOf: " PawsHub ".utf8)
        bytes.append(contentsOf: label.utf8)
        bytes.append(contentsOf: "] ".utf8)
        bytes.append(contentsOf: event.message.description.utf8)
        if !metadata.isEmpty || !(explicit?.isEmpty ?? true) {
            let merged = explicit.map { metadata.merging($0) { $1 } } ?? metadata
            for key in merged.keys.sorted() {
                bytes.append(UInt8(ascii: " "))
                bytes.append(contentsOf: key.utf8)
                bytes.append(UInt8(ascii: "="))
                if let value = merged[key] { bytes.append(contentsOf: value.description.utf8) }
            }
        }
        bytes.append(UInt8(ascii: "\n"))
        Self.output.withLock { _ in
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var offset = 0
                while offset < raw.count {
                    let n = write(2, base + offset, raw.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
    }

    private static func letter(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "D"
        case .info, .notice: return "I"
        case .warning: return "W"
        case .error: return "E"
        case .critical: return "C"
        }
    }

    /// `2026-11-25 11:28:33.123` (UTC) appended in place: digits written into a fixed buffer, one append.
    private static func appendTimestamp(to out: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 23) { buffer in
            var at = 0
            func put(_ value: Int32, _ width: Int, then separator: UInt8?) {
                CivilDate.writeDigits(Int64(value), width: width, into: buffer, at: &at)
                if let separator { buffer[at] = separator; at += 1 }
            }
            put(parts.tm_year + 1900, 4, then: UInt8(ascii: "-"))
            put(parts.tm_mon + 1, 2, then: UInt8(ascii: "-"))
            put(parts.tm_mday, 2, then: UInt8(ascii: " "))
            put(parts.tm_hour, 2, then: UInt8(ascii: ":"))
            put(parts.tm_min, 2, then: UInt8(ascii: ":"))
            put(parts.tm_sec, 2, then: UInt8(ascii: "."))
            put(Int32(now.tv_nsec / 1_000_000), 3, then: nil)
            out.append(contentsOf: UnsafeBufferPointer(buffer))
        }
    }
}
