public import Unstructured

/// A JSON merge patch (RFC 7386) that turns `old` into `new`: `new` itself, with every key `old` has and
/// `new` lacks set to null at every object level, so removed entries (a node no longer in `outboundByNode`)
/// are deleted rather than merged back.
public enum PolicyStatusPatch {
    /// The merge patch from `old` to `new`.
    public static func mergePatch(from old: JSONValue?, to new: JSONValue) -> JSONValue {
        guard case .object(var updated) = new, let previous = old?.objectValue else { return new }
        for (key, oldValue) in previous {
            if let newValue = updated[key] {
                updated[key] = mergePatch(from: oldValue, to: newValue)
            } else {
                updated[key] = .null
            }
        }
        return .object(updated)
    }
}
