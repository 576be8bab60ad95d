// Reading fields by name on the request path. HTTPTypes' `fields[name]` getter joins through a
// generic lazy sequence that the compiler does not specialise across modules (runtime metadata
// lookups, ~1,900 instructions a call); a request reads a handful of fields, so these helpers keep
// its answer and skip the machinery.
import HTTPTypes

extension HTTPFields {
    /// What `self[name]` returns (several fields joined by ", ", or "; " for Cookie), computed
    /// directly: one pass, no copy when a single field carries the name.
    public func value(_ name: HTTPField.Name) -> String? {
        let canonical = name.canonicalName
        var result: String? = nil
        for field in self where field.name.canonicalName == canonical {
            if let earlier = result {
                result = earlier + name.combiningSeparator + field.value
            } else {
                result = field.value
            }
        }
        return result
    }

    /// Appends `field` unless a field of that name is present (hub-wide defaults a handler may override).
    public mutating func appendIfAbsent(_ field: HTTPField) {
        if !contains(field.name) { append(field) }
    }
}

extension HTTPField.Name {
    /// How several fields of this name read as one value: "; " for Cookie, ", " for every other (RFC 9110 §5.3).
    public var combiningSeparator: String { self == .cookie ? "; " : ", " }
}
