// JupyterHub 6's rules for new named servers: the name becomes part of URLs, pod names and DNS labels, so it
// is a "safe slug"; the display name is free text within printable-Unicode limits.
import Foundation

/// Validation of named-server names and display names (JupyterHub 6 `slugs.py` rules).
public enum ServerNaming {
    /// Longest server name: two slugs joined with `--` still fit a 63-character DNS label.
    public static let maxNameLength = 30
    /// Longest display name, in Unicode scalars.
    public static let maxDisplayNameLength = 255

    /// 1–30 characters of `[a-z0-9-]`, starting with a letter, ending with a letter or digit, no `--`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maxNameLength).contains(bytes.count) else { return false }
        func isLower(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard let first = bytes.first, let last = bytes.last, isLower(first), isLower(last) || isDigit(last) else {
            return false
        }
        var previousHyphen = false
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                if previousHyphen { return false }
                previousHyphen = true
            } else if isLower(byte) || isDigit(byte) {
                previousHyphen = false
            } else {
                return false
            }
        }
        return true
    }

    /// The display name in Unicode NFC, as JupyterHub stores it.
    public static func normalizedDisplayName(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    /// 1–255 printable characters (letters, marks, numbers, punctuation, symbols) and single inner spaces.
    public static func isValidDisplayName(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard (1...maxDisplayNameLength).contains(scalars.count) else { return false }
        guard scalars.first != " ", scalars.last != " ", !text.contains("  ") else { return false }
        return scalars.allSatisfy { $0 == " " || isPrintable($0) }
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .spacingMark, .enclosingMark, .nonspacingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// How logs and messages name a server: `alice` or `alice:nb1` (JupyterHub's `_log_name`).
    public static func logName(user: String, server: String) -> String {
        server.isEmpty ? user : "\(user):\(server)"
    }
}
