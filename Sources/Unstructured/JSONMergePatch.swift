/// JSON merge patches (RFC 7386) computed from two states of a document.
public enum JSONMergePatch {
    /// The merge patch that turns `old` into `new`: `new` itself, with every key `old` has and `new` lacks set
    /// to null at every object level, so removed entries are deleted rather than merged back (arrays and
    /// scalars are replaced whole, as a merge patch does).
    public static func diff(from old: JSONValue?, to new: JSONValue) -> JSONValue {
        guard case .object(var updated) = new, let previous = old?.objectValue else { return new }
        for (key, oldValue) in previous {
            if let newValue = updated[key] {
                updated[key] = diff(from: oldValue, to: newValue)
            } else {
                updated[key] = .null
            }
        }
        return .object(updated)
    }
}
