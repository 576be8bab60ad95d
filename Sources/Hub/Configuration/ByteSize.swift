import Foundation

/// A memory size in bytes, written as JupyterHub writes it: `3G`, `512M`, `1.5G`, `0.70G` or plain bytes.
///
/// Suffixes are binary (K = 1024), as in JupyterHub's `ByteSpecification`; Kubernetes' `Ki`/`Mi`/`Gi`/`Ti`
/// are accepted with the same meaning so values copied from pod specs work too.
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The size in bytes.
    public let bytes: Int64

    public init(bytes: Int64) {
        self.bytes = bytes
    }

    private static let multipliers: [(suffix: String, factor: Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("K", 1024), ("M", 1_048_576), ("G", 1_073_741_824), ("T", 1_099_511_627_776),
    ]

    /// Parses `3G`, `1.5G`, `512M`, `1Gi` or `1024`; nil for anything else (negative, unknown unit, empty).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var number = Substring(trimmed)
        var factor: Double = 1
        for (suffix, value) in Self.multipliers where trimmed.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            factor = value
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let amount = Double(number), amount.isFinite, amount >= 0
        else { return nil }
        let total = amount * factor
        // Int64 holds 8 EiB; anything larger is a typo, not a machine.
        guard total < 9.2e18 else { return nil }
        // Truncate like JupyterHub's int(float(num) * multiplier): 0.70G = 751619276 bytes.
        self.bytes = Int64(total)
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }

    /// The exact byte count, as Kubernetes and `MEM_LIMIT` receive it.
    public var description: String { String(bytes) }
}
