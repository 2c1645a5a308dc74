import Unstructured

/// JSON merge patch (RFC 7386, `application/merge-patch+json`): `null` deletes a member, objects merge
/// recursively, everything else (arrays, scalars) replaces the target.
public enum MergePatch {
    /// Applies `patch` to `target` and returns the result. Merge patches cannot fail.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, value) in patchObject {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}
